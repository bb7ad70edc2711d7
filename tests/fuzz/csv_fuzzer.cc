// The CSV reader (plain and gzip, told apart by content) and the table
// checks after it: any input ends in a table or a mizani::Error, never a
// crash, a sanitizer report or another exception.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.h"
#include "mizani/error.h"
#include "mizani/read.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = mizani::fuzz::WriteInput(data, size, ".csv");
  for (const mizani::TextEncoding encoding :
       {mizani::TextEncoding::kUtf8, mizani::TextEncoding::kLatin1}) {
    mizani::ReadOptions options;
    options.encoding = encoding;
    try {
      const mizani::Table table = mizani::ReadTable(path, options);
      for (const mizani::Column& column : table.columns) {
        if (column.type == mizani::ColumnType::kNumeric) continue;
        try {
          (void)mizani::RequireNumeric(table, column.name);
        } catch (const mizani::Error&) {
        }
      }
    } catch (const mizani::Error&) {
    }
  }
  return 0;
}
