# mizani_layer(NAME [DEPENDS layer-or-lib...] [PRIVATE_DEPENDS lib...])
#
# Defines the static library mizani_<NAME> from every .cc file under the
# calling folder (src/<NAME>/, subfolders included). DEPENDS are the layers it
# builds on (PUBLIC: their headers appear in its own). Public headers come
# from include/; the src/ root is a PRIVATE include path, so a layer's own
# headers ("estimate/hdfe/fe_projector.h") stay inside the library and its tests.
# Which layer may include which is checked by scripts/check_layers.sh.
function(mizani_layer name)
  cmake_parse_arguments(ARG "" "" "DEPENDS;PRIVATE_DEPENDS" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  add_library(mizani_${name} STATIC ${sources})
  target_include_directories(mizani_${name}
    PUBLIC ${PROJECT_SOURCE_DIR}/include
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(mizani_${name} PUBLIC ${ARG_DEPENDS} PRIVATE ${ARG_PRIVATE_DEPENDS})
  # Position-independent: the Python module (bindings/python) links the
  # layers into a shared object.
  set_target_properties(mizani_${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()
