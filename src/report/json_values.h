// The JSON rules every machine-readable output shares (the report's JSON,
// results.json of `mizani simulate` and `mizani debt`, `mizani estimate
// --format json`): numbers that have no JSON form, the text of a file, and
// the run record a results.json ends with. Model-agnostic; each output builds
// its own sections, with nlohmann::json (keys sorted) or ordered_json.
#pragma once

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace mizani {

// NaN and infinities have no JSON form: they become null.
template <class Json = nlohmann::json>
Json JsonNumber(double value) {
  return std::isfinite(value) ? Json(value) : Json(nullptr);
}

// The text of a JSON file: two-space indent and a final newline.
template <class Json>
std::string JsonFileText(const Json& doc) {
  return doc.dump(2) + "\n";
}

// The record of a run that closes every results.json: its notes (what the
// reader must know) and its wall time.
template <class Json>
void AddRunRecord(Json& doc, const std::vector<std::string>& notes, double seconds) {
  doc["notes"] = notes;
  doc["seconds"] = seconds;
}

}  // namespace mizani
