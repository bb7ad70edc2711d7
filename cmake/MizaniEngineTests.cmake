# mizani_engine_tests(<engine> [DEFINITIONS <name>=<value> ...])
#
# The two test programs of an engine (src/<engine>/), from the calling
# folder's *_unit_test.cc and *_data_test.cc: mizani_<engine>_unit_tests
# (label unit) and mizani_<engine>_data_tests (label data; they read
# ../shared/data and skip when it is absent). Both get tests/test_support.cc,
# the engine's library, GoogleTest and nlohmann_json, src/ and tests/ as
# include paths, MIZANI_SHARED_DATA_DIR, MIZANI_TEST_DATA_DIR (tests/data)
# and the extra DEFINITIONS.
function(mizani_engine_tests engine)
  cmake_parse_arguments(ARG "" "" "DEFINITIONS" ${ARGN})
  foreach(kind unit data)
    file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_${kind}_test.cc)
    set(target mizani_${engine}_${kind}_tests)
    add_executable(${target} ${sources} ${CMAKE_SOURCE_DIR}/tests/test_support.cc)
    target_link_libraries(${target} PRIVATE mizani_${engine} GTest::gtest GTest::gtest_main
      nlohmann_json::nlohmann_json)
    target_include_directories(${target} PRIVATE ${CMAKE_SOURCE_DIR}/src
      ${CMAKE_SOURCE_DIR}/tests)
    target_compile_definitions(${target} PRIVATE
      MIZANI_SHARED_DATA_DIR="${MIZANI_SHARED_DATA_DIR}"
      MIZANI_TEST_DATA_DIR="${CMAKE_SOURCE_DIR}/tests/data"
      ${ARG_DEFINITIONS})
    gtest_discover_tests(${target} PROPERTIES LABELS ${kind} DISCOVERY_TIMEOUT 60)
  endforeach()
endfunction()
