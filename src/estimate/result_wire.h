// EstimateResult as bytes, for sending between ranks (the --by groups a
// rank fitted go to every rank, estimate_by.cc). Doubles travel bit for bit;
// per-observation vectors (fitted, source_row) are not sent.
#pragma once

#include <string>
#include <string_view>

#include "mizani/estimate.h"

namespace mizani::estimate {

// Appends `result` to `out`.
void WriteResult(const EstimateResult& result, std::string& out);
// Reads one result written by WriteResult from `in`, advancing it. Throws
// Error(kInternal) when the bytes end early.
EstimateResult ReadResult(std::string_view& in);

// The pieces, for callers that add their own fields.
void WriteString(std::string_view text, std::string& out);
std::string ReadString(std::string_view& in);
void WriteInt(int64_t value, std::string& out);
int64_t ReadInt(std::string_view& in);

}  // namespace mizani::estimate
