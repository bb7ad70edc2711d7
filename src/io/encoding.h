// Text of a table read from a file: valid UTF-8 without NUL bytes before it
// reaches a model, a report or JSON (which would fail on it, after the work).
#pragma once

#include "mizani/read.h"

namespace mizani::io {

// Checks every column name and text level of `table` (whose `source` names
// the file). With kUtf8 a level that is not valid UTF-8 is an error naming
// the first row and the column that hold it, and suggesting --encoding
// latin1; with kLatin1 all text is converted to UTF-8. A NUL byte is an error
// either way. Throws Error(kBadData).
void CheckText(Table* table, TextEncoding encoding);

}  // namespace mizani::io
