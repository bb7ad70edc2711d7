// The sovereign-year panel: ratings in force at year end and WEO indicators.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <tuple>
#include <unordered_map>

#include "data/civil_date.h"
#include "mizani/error.h"
#include "mizani/rating.h"
#include "mizani/read.h"

namespace mizani::rating {

namespace {

// A date as YYYYMMDD; 0 when it is malformed or not a day of the calendar
// (data/civil_date.h). The rating file writes "M/D/YYYY", from 1900 to 2100.
int YyyyMmDd(const std::optional<data::CivilDay>& date) {
  return date ? date->year * 10000 + date->month * 100 + date->day : 0;
}

int ParseUsDate(const std::string& text) {
  return YyyyMmDd(data::ParseCivilDate(text, data::DateOrder::kMonthDayYear, '/', 1900, 2100));
}

// "YYYY-MM-DD" (the snapshot date), any year from 1 to 9999.
int ParseIsoDate(const std::string& text) {
  return YyyyMmDd(data::ParseCivilDate(text, data::DateOrder::kYearMonthDay, '-', 1, 9999));
}

// The rating file's numeric scale (SOURCE.md): 29 for AAA down to 20 for
// BBB-, 15 for BB+ down to 10 for B-, 8..5 for CCC+..CC, 1 for default.
double FileScaleNumber(int notch) {
  if (notch >= kInvestmentGradeNotch) return notch + 8;
  if (notch >= 6) return notch + 4;
  if (notch >= 2) return notch + 3;
  return 1;
}

std::string Cell(const Table& table, const std::string& column, size_t row_idx) {
  return table.Get(column).CellText(row_idx);
}

[[noreturn]] void BadCell(const Table& table, size_t row_idx, const std::string& column,
                          const std::string& message) {
  throw Error(ErrorCode::kBadData,
              fmt::format("{}: {}", Where(table.source, static_cast<int64_t>(row_idx) + 1, column),
                          message));
}

std::vector<RatingAction> ReadActions(const std::string& path, int snapshot,
                                      std::map<std::string, int64_t>* dropped_actions) {
  ReadOptions read_options;
  read_options.string_columns = {"Agency", "Rating", "Outlook", "Date", "Country"};
  const Table table = ReadTable(path, read_options);
  for (const char* column : {"Agency", "Rating", "Outlook", "Date", "Country"}) table.Get(column);
  std::vector<RatingAction> actions;
  actions.reserve(table.num_rows);
  const Column* year_column = table.Find("Year");
  const Column* rating_n = table.Find("RatingN");
  // The optional numeric columns are checked when present: a cell that is not
  // a finite number ("1e400", "n/a") is an error naming it, not a column
  // silently skipped.
  for (const char* column : {"Year", "RatingN"}) {
    if (table.Find(column) != nullptr) (void)RequireNumeric(table, column);
  }
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    RatingAction action;
    action.source_row = static_cast<int64_t>(row_idx) + 1;
    const std::string agency_text = Cell(table, "Agency", row_idx);
    const auto agency = ParseAgency(agency_text);
    if (!agency) {
      BadCell(
          table, row_idx, "Agency",
          fmt::format("unknown agency '{}' (expected S&P, Moody's, Fitch or DBRS)", agency_text));
    }
    action.agency = *agency;
    const std::string country = Cell(table, "Country", row_idx);
    const auto iso3 = Iso3ForName(country);
    if (!iso3) {
      BadCell(table, row_idx, "Country",
              fmt::format("unknown country name '{}' (add the spelling to "
                          "src/rating/country_names.cc)",
                          country));
    }
    action.iso3 = *iso3;
    action.grade = Cell(table, "Rating", row_idx);
    const auto notch = NotchFromGrade(action.agency, action.grade);
    if (!notch) {
      BadCell(table, row_idx, "Rating",
              fmt::format("'{}' is not on the {} scale", action.grade, AgencyName(action.agency)));
    }
    action.notch = *notch;
    if (rating_n != nullptr && !rating_n->IsMissing(row_idx)) {
      // The file's own numeric scale (SOURCE.md) must agree with the grade:
      // a number outside it, or on its unused steps 2-4, 9 and 16-19, is an
      // error, not a rating.
      const double number = rating_n->num[row_idx];
      if (number != FileScaleNumber(action.notch)) {
        BadCell(
            table, row_idx, "RatingN",
            fmt::format("{} does not match grade '{}' on the file's scale (expected {}; "
                        "valid numbers are 1, 5-8, 10-15 and 20-29)",
                        rating_n->CellText(row_idx), action.grade, FileScaleNumber(action.notch)));
      }
    }
    const std::string outlook = Cell(table, "Outlook", row_idx);
    if (!ParseOutlook(outlook, &action.outlook, &action.watch)) {
      BadCell(table, row_idx, "Outlook", fmt::format("unknown outlook '{}'", outlook));
    }
    const std::string date = Cell(table, "Date", row_idx);
    action.date = ParseUsDate(date);
    if (action.date == 0) {
      BadCell(table, row_idx, "Date", fmt::format("'{}' is not a date M/D/YYYY", date));
    }
    // Compared as doubles: a year beyond the range of int is a mismatch, not
    // an undefined conversion.
    const int date_year = action.date / 10000;  // date is YYYYMMDD
    if (year_column != nullptr && !year_column->IsMissing(row_idx) &&
        year_column->num[row_idx] != date_year) {
      BadCell(
          table, row_idx, "Year",
          fmt::format("year {} disagrees with the date {}", year_column->CellText(row_idx), date));
    }
    if (action.date > snapshot) {
      ++(*dropped_actions)[fmt::format("rating action dated after the snapshot ({})", snapshot)];
      continue;
    }
    if (action.iso3 == "EUU") {
      ++(*dropped_actions)["rating action of a supranational issuer (European Union)"];
      continue;
    }
    actions.push_back(std::move(action));
  }
  // Oldest first; of two actions on one day the one listed first in the
  // file (which lists newest first) is the later.
  std::stable_sort(actions.begin(), actions.end(),
                   [](const RatingAction& left, const RatingAction& right) {
                     return std::tie(left.iso3, left.agency, left.date, right.source_row) <
                            std::tie(right.iso3, right.agency, right.date, left.source_row);
                   });
  return actions;
}

struct WeoEntry {
  double value = std::numeric_limits<double>::quiet_NaN();
  bool estimate = false;
};

// (iso3, code) -> year -> value, for the codes needed only.
using WeoIndex = std::map<std::pair<std::string, std::string>, std::map<int, WeoEntry>>;

WeoIndex ReadWeo(const std::string& path, const std::set<std::string>& codes,
                 std::set<std::string>* countries) {
  ReadOptions read_options;
  read_options.columns = {"country", "weo_subject_code", "year", "value", "is_estimate"};
  read_options.string_columns = {"country", "weo_subject_code"};
  const Table table = ReadTable(path, read_options);
  const Column& country = table.Get("country");
  const Column& code = table.Get("weo_subject_code");
  const std::span<const double> year = RequireNumeric(table, "year");
  const std::span<const double> value = RequireNumeric(table, "value");
  const std::span<const double> estimate = RequireNumeric(table, "is_estimate");
  std::vector<std::string> iso_of_level(country.levels.size());
  for (size_t level = 0; level < country.levels.size(); ++level) {
    const auto iso3 = Iso3ForName(country.levels[level]);
    if (!iso3) {
      // Name the first row with this spelling.
      for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
        if (country.codes[row_idx] == static_cast<int32_t>(level)) {
          BadCell(table, row_idx, "country",
                  fmt::format("unknown country name '{}' (add the spelling to "
                              "src/rating/country_names.cc)",
                              country.levels[level]));
        }
      }
    }
    iso_of_level[level] = *iso3;
    countries->insert(*iso3);
  }
  std::vector<uint8_t> wanted(code.levels.size(), 0);
  for (size_t level = 0; level < code.levels.size(); ++level) {
    wanted[level] = codes.count(code.levels[level]) > 0 ? 1 : 0;
  }
  WeoIndex index;
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    if (code.codes[row_idx] < 0 || country.codes[row_idx] < 0) continue;
    if (wanted[code.codes[row_idx]] == 0) continue;
    if (!std::isfinite(year[row_idx]) || !std::isfinite(value[row_idx])) continue;
    WeoEntry entry;
    entry.value = value[row_idx];
    entry.estimate = estimate[row_idx] == 1.0;
    index[{iso_of_level[country.codes[row_idx]], code.levels[code.codes[row_idx]]}]
         [WholeNumber(year[row_idx], table, row_idx, "year")] = entry;
  }
  return index;
}

// The extra-indicator files joined to the WEO values: a code may come from
// one source only (one extra file, or the WEO). `weo` was read with the
// extra files' codes too, so a clash shows there.
void MergeExtraFiles(const PanelOptions& options, const std::vector<IndicatorValues>& extras,
                     Panel* panel, WeoIndex* weo) {
  std::set<std::string> weo_codes;
  for (const auto& [key, series] : *weo) weo_codes.insert(key.second);
  panel->extra_files = options.extra_files;
  for (size_t file_idx = 0; file_idx < extras.size(); ++file_idx) {
    const ExtraIndicatorFile& file = options.extra_files[file_idx];
    for (const auto& [key, series] : extras[file_idx]) {
      const std::string& code = key.second;
      const auto [known, added] = panel->extra_code_file.emplace(code, file_idx);
      if (weo_codes.count(code) > 0 || (!added && known->second != file_idx)) {
        throw Error(
            ErrorCode::kBadData,
            fmt::format("{}: indicator '{}' is also given by {}; a code may come from "
                        "one source only",
                        file.path, code,
                        weo_codes.count(code) > 0 ? options.weo_path
                                                  : options.extra_files[known->second].path));
      }
      auto& values = (*weo)[key];
      for (const auto& [year, value] : series) values[year] = WeoEntry{value, false};
    }
  }
}

}  // namespace

double ApplyTransform(Transform transform, double value) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  switch (transform) {
    case Transform::kLevel:
      return value;
    case Transform::kLog:
      return value > 0.0 ? std::log(value) : kNaN;
    case Transform::kLogOnePlusPercent:
      return value > -100.0 ? std::log1p(value / 100.0) : kNaN;
  }
  return kNaN;
}

double InvertTransform(Transform transform, double value) {
  switch (transform) {
    case Transform::kLevel:
      return value;
    case Transform::kLog:
      return std::exp(value);
    case Transform::kLogOnePlusPercent:
      return 100.0 * std::expm1(value);
  }
  return value;
}

int64_t Panel::CompleteCount() const {
  return std::count(complete.begin(), complete.end(), uint8_t{1});
}

std::optional<double> Panel::WeoValue(const std::string& iso3, const std::string& code,
                                      int year) const {
  const auto series = weo.find({iso3, code});
  if (series == weo.end()) return std::nullopt;
  const auto at = series->second.find(year);
  if (at == series->second.end()) return std::nullopt;
  return at->second;
}

int64_t Panel::FindRow(const std::string& iso3, int year) const {
  for (size_t row_id = 0; row_id < rows.size(); ++row_id) {
    if (rows[row_id].iso3 == iso3 && rows[row_id].year == year) return static_cast<int64_t>(row_id);
  }
  return -1;
}

SovereignYear Panel::RowFor(const std::string& iso3, int year) const {
  const int64_t found = FindRow(iso3, year);
  if (found >= 0) return rows[found];
  SovereignYear row;
  row.iso3 = iso3;
  row.year = year;
  const int64_t before = FindRow(iso3, year - 1);
  if (before >= 0) row.previous_notch = rows[before].notch;
  for (const IndicatorSpec& spec : indicators) {
    const auto value = WeoValue(iso3, spec.code, year - indicator_lag);
    row.x.push_back(value ? ApplyTransform(spec.transform, *value)
                          : std::numeric_limits<double>::quiet_NaN());
  }
  return row;
}

Panel BuildPanel(const PanelOptions& options) {
  if (options.first_year > options.last_year) {
    throw Error(ErrorCode::kBadScenario, fmt::format("first year {} is after last year {}",
                                                     options.first_year, options.last_year));
  }
  // Year ends are compared as YYYYMMDD integers (year * 10000 + 1231).
  if (options.first_year < 1 || options.last_year > 9999) {
    throw Error(ErrorCode::kBadScenario, fmt::format("panel years {} to {} are outside 1 to 9999",
                                                     options.first_year, options.last_year));
  }
  const int snapshot = ParseIsoDate(options.snapshot_date);
  if (snapshot == 0) {
    throw Error(ErrorCode::kBadScenario,
                fmt::format("snapshot date '{}' is not YYYY-MM-DD", options.snapshot_date));
  }
  Panel panel;
  panel.indicators = options.indicators;
  panel.vintage = options.vintage;
  std::map<std::string, int64_t> dropped;
  panel.actions = ReadActions(options.ratings_path, snapshot, &dropped);

  std::set<std::string> codes(options.extra_codes.begin(), options.extra_codes.end());
  for (const IndicatorSpec& spec : options.indicators) codes.insert(spec.code);
  std::vector<IndicatorValues> extras;
  std::set<std::string> weo_read = codes;
  for (const ExtraIndicatorFile& file : options.extra_files) {
    extras.push_back(ReadExtraIndicators(file));
    for (const auto& [key, series] : extras.back()) weo_read.insert(key.second);
  }
  std::set<std::string>& weo_countries = panel.weo_countries;
  WeoIndex weo = ReadWeo(options.weo_path, weo_read, &weo_countries);
  MergeExtraFiles(options, extras, &panel, &weo);
  panel.indicator_lag = options.indicator_lag;
  for (const auto& [key, series] : weo) {
    auto& values = panel.weo[key];
    for (const auto& [year, entry] : series) values[year] = entry.value;
  }
  for (const std::string& code : codes) {
    bool found = false;
    for (const auto& [key, series] : weo) found = found || key.second == code;
    if (!found) {
      std::string where = options.weo_path;
      for (const ExtraIndicatorFile& file : options.extra_files) where += " or " + file.path;
      throw Error(ErrorCode::kBadModel,
                  fmt::format("{}: no values for indicator code '{}'", where, code));
    }
  }

  // Actions of each (country, agency), oldest first (ReadActions sorted them).
  std::map<std::string, std::array<std::vector<const RatingAction*>, kNumAgencies>> by_country;
  for (const RatingAction& action : panel.actions) {
    by_country[action.iso3][static_cast<int>(action.agency)].push_back(&action);
  }
  for (const auto& [iso3, per_agency] : by_country) {
    for (int year = options.first_year; year <= options.last_year; ++year) {
      SovereignYear row;
      row.iso3 = iso3;
      row.year = year;
      bool rated = false;
      const int year_end = year * 10000 + 1231;
      for (int agency_idx = 0; agency_idx < kNumAgencies; ++agency_idx) {
        const RatingAction* in_force = nullptr;
        for (const RatingAction* action : per_agency[agency_idx]) {
          if (action->date > year_end) break;
          in_force = action;
        }
        const RatingAction* previous = nullptr;
        for (const RatingAction* action : per_agency[agency_idx]) {
          if (action->date > year_end - 10000) break;
          previous = action;
        }
        if (previous != nullptr) row.previous_notch[agency_idx] = previous->notch;
        if (in_force == nullptr) continue;
        rated = true;
        row.notch[agency_idx] = in_force->notch;
        row.outlook[agency_idx] = in_force->outlook;
        row.watch[agency_idx] = in_force->watch;
      }
      if (!rated) continue;
      std::string reason;
      if (weo_countries.count(iso3) == 0) reason = "no WEO data for the country";
      const int data_year = year - options.indicator_lag;
      for (const IndicatorSpec& spec : options.indicators) {
        double value = std::numeric_limits<double>::quiet_NaN();
        const auto series = weo.find({iso3, spec.code});
        if (series != weo.end()) {
          const auto at = series->second.find(data_year);
          if (at != series->second.end()) {
            value = at->second.value;
            row.any_estimate = row.any_estimate || at->second.estimate;
          }
        }
        const bool present = std::isfinite(value);
        value = ApplyTransform(spec.transform, value);
        if (!std::isfinite(value) && reason.empty()) {
          reason = present ? fmt::format("{} outside the domain of its transform", spec.code)
                           : fmt::format("missing {}", spec.code);
        }
        row.x.push_back(value);
      }
      if (!reason.empty()) ++dropped["sovereign-year left out: " + reason];
      panel.complete.push_back(reason.empty() ? 1 : 0);
      panel.rows.push_back(std::move(row));
    }
  }
  for (const auto& [reason, count] : dropped) panel.dropped.push_back({reason, count});
  return panel;
}

}  // namespace mizani::rating
