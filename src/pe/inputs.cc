// Input readers for `mizani pe` (see inputs.h and docs/pe.md, "Inputs").
#include "pe/inputs.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>
#include <span>

#include "mizani/error.h"
#include "mizani/read.h"
#include "report/iso_codes.h"

namespace mizani::pe {

namespace fs = std::filesystem;

namespace {

// Reads `path` with the listed columns as text when the file has them (a
// first read finds the header; input tables are small).
Table ReadWithTextColumns(const std::string& path, const std::vector<std::string>& text_columns) {
  const Table probe = ReadTable(path);
  ReadOptions options;
  for (const std::string& name : text_columns) {
    if (probe.Find(name) != nullptr) options.string_columns.push_back(name);
  }
  return ReadTable(path, options);
}

std::string Text(const Table& table, const char* column, size_t row_idx) {
  const Column* col = table.Find(column);
  return col == nullptr ? std::string() : col->CellText(row_idx);
}

// A numeric cell; NaN when missing. Throws kBadData for text.
double Number(const Table& table, const char* column, size_t row_idx) {
  const Column* col = table.Find(column);
  if (col == nullptr || col->IsMissing(row_idx)) return std::nan("");
  if (col->type == ColumnType::kString) {
    // The column holds text somewhere: name the first cell that is not a
    // finite number and say why ("1e400" is out of range, not text), even
    // when this row's cell reads as a number.
    (void)RequireNumeric(table, column);
    throw Error(ErrorCode::kBadData,
                fmt::format("{}: '{}' is not a number",
                            Where(table.source, static_cast<int64_t>(row_idx) + 1, column),
                            col->CellText(row_idx)));
  }
  return col->num[row_idx];
}

void CheckCountry(const std::string& code, const Table& table, size_t row_idx, const char* column) {
  if (code == "ROW" || code == "EUN") return;  // EUN: WITS's European Union
  if (report_internal::IsoNumericFor(code).empty()) {
    throw Error(
        ErrorCode::kBadData,
        fmt::format("{}: unknown country code '{}' (expected ISO 3166-1 alpha-3, ROW or EUN)",
                    Where(table.source, static_cast<int64_t>(row_idx) + 1, column), code));
  }
}

void CheckHs6(const std::string& code, const Table& table, size_t row_idx, const char* column) {
  const bool digits =
      std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (code.size() != 6 || !digits) {
    throw Error(ErrorCode::kBadData,
                fmt::format("{}: product code '{}' is not an HS6 code (six digits, leading zero "
                            "kept: 090240)",
                            Where(table.source, static_cast<int64_t>(row_idx) + 1, column), code));
  }
}

CellStatus ParseStatus(const std::string& text, const Table& table, size_t row_idx,
                       const char* column) {
  if (text == "sourced") return CellStatus::kSourced;
  if (text == "assumed") return CellStatus::kAssumed;
  if (text == "to-fill") return CellStatus::kToFill;
  throw Error(ErrorCode::kBadData,
              fmt::format("{}: status '{}' must be sourced, assumed or to-fill",
                          Where(table.source, static_cast<int64_t>(row_idx) + 1, column), text));
}

// One value cell and its status: empty value <=> to-fill.
void ReadCell(const Table& table, size_t row_idx, const char* value_column,
              const char* status_column, const char* what, double* value, CellStatus* status) {
  const double number = Number(table, value_column, row_idx);
  const std::string status_text = Text(table, status_column, row_idx);
  const CellStatus stated = status_text.empty()
                                ? (std::isnan(number) ? CellStatus::kToFill : CellStatus::kSourced)
                                : ParseStatus(status_text, table, row_idx, status_column);
  const std::string where = Where(table.source, static_cast<int64_t>(row_idx) + 1, value_column);
  if (std::isnan(number) && stated != CellStatus::kToFill) {
    throw Error(ErrorCode::kBadData,
                fmt::format("{}: the {} is empty but its status is '{}' (use to-fill)", where, what,
                            status_text));
  }
  if (!std::isnan(number) && stated == CellStatus::kToFill) {
    throw Error(ErrorCode::kBadData,
                fmt::format("{}: the {} {} is marked to-fill; remove the value or mark it "
                            "sourced or assumed",
                            where, what, number));
  }
  if (!std::isnan(number) && (number < 0 || !std::isfinite(number))) {
    throw Error(ErrorCode::kBadData,
                fmt::format("{}: negative or infinite {} {}", where, what, number));
  }
  *value = std::isnan(number) ? 0.0 : number;
  *status = stated;
}

}  // namespace

std::string ResolvePath(const std::string& path, const std::string& data_dir,
                        const std::string& base_dir) {
  std::string resolved;
  if (path.rfind("shared:", 0) == 0) {
    resolved = (fs::path(data_dir) / path.substr(7)).string();
  } else if (fs::path(path).is_absolute()) {
    resolved = path;
  } else {
    resolved = (fs::path(base_dir) / path).string();
  }
  if (!fs::exists(resolved)) {
    throw Error(ErrorCode::kFileUnreadable,
                fmt::format("{}: no such file (from '{}'{})", resolved, path,
                            path.rfind("shared:", 0) == 0 ? "; set --data-dir" : ""));
  }
  return resolved;
}

void AppendRows(std::vector<InputRow>& rows, std::vector<InputRow> more) {
  std::map<std::string, std::string> seen;
  auto key = [](const InputRow& row) {
    return row.reporter + "|" + row.partner + "|" + row.product;
  };
  for (const InputRow& row : rows) seen[key(row)] = row.origin;
  for (InputRow& row : more) {
    const auto [it, inserted] = seen.emplace(key(row), row.origin);
    if (!inserted) {
      throw Error(ErrorCode::kBadData,
                  fmt::format("{}: {} {} {} appears twice (also {})", row.origin, row.reporter,
                              row.partner, row.product, it->second));
    }
    rows.push_back(std::move(row));
  }
}

std::vector<InputRow> ReadWitsTable(const std::string& path) {
  const Table table =
      ReadWithTextColumns(path, {"reporter", "partner", "product", "description", "trade_status",
                                 "trade_source", "tariff_status", "tariff_source"});
  for (const char* column : {"reporter", "partner", "product", "trade_value", "tariff"}) {
    if (table.Find(column) == nullptr) {
      throw Error(ErrorCode::kBadData,
                  fmt::format("{}: missing column (a WITS/SMART-style table has reporter, "
                              "partner, product, trade_value, tariff)",
                              Where(path, -1, column)));
    }
  }
  std::vector<InputRow> rows;
  rows.reserve(table.num_rows);
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    InputRow row;
    row.reporter = Text(table, "reporter", row_idx);
    row.partner = Text(table, "partner", row_idx);
    row.product = Text(table, "product", row_idx);
    CheckCountry(row.reporter, table, row_idx, "reporter");
    CheckCountry(row.partner, table, row_idx, "partner");
    CheckHs6(row.product, table, row_idx, "product");
    row.description = Text(table, "description", row_idx);
    ReadCell(table, row_idx, "trade_value", "trade_status", "trade value", &row.trade,
             &row.trade_status);
    ReadCell(table, row_idx, "tariff", "tariff_status", "tariff", &row.tariff, &row.tariff_status);
    row.tariff /= 100;
    row.trade_source = Text(table, "trade_source", row_idx);
    row.tariff_source = Text(table, "tariff_source", row_idx);
    const double ntb = Number(table, "ntb_ave", row_idx);
    if (!std::isnan(ntb)) {
      if (ntb < 0 || !std::isfinite(ntb)) {
        throw Error(ErrorCode::kBadData,
                    fmt::format("{}: negative NTB ad-valorem equivalent {}",
                                Where(path, static_cast<int64_t>(row_idx) + 1, "ntb_ave"), ntb));
      }
      row.ntb = ntb / 100;
    }
    row.origin = fmt::format("{}:row {}", path, row_idx + 1);
    rows.push_back(std::move(row));
  }
  return rows;
}

namespace {

// BACI numeric country code -> ISO3, from its country-code file.
std::map<int64_t, std::string> ReadBaciCodes(const std::string& path) {
  ReadOptions options;
  options.columns = {"country_code", "iso_3digit_alpha"};
  const Table table = ReadTable(path, options);
  const std::span<const double> code = RequireNumeric(table, "country_code");
  const Column& iso = table.Get("iso_3digit_alpha");
  std::map<int64_t, std::string> out;
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    if (std::isnan(code[row_idx]) || iso.IsMissing(row_idx)) continue;
    out[WholeNumber(code[row_idx], table, row_idx, "country_code")] = iso.CellText(row_idx);
  }
  return out;
}

std::string Hs6Text(const Column& column, size_t row_idx) {
  std::string text = column.CellText(row_idx);
  if (text.size() < 6) text = std::string(6 - text.size(), '0') + text;
  return text;
}

struct BaciTable {
  Table table;
  std::map<int64_t, std::string> iso;
};

BaciTable ReadBaciTable(const std::string& path, const std::string& codes) {
  ReadOptions options;
  options.columns = {"t", "i", "j", "k", "v"};
  options.string_columns = {"k"};
  BaciTable out{ReadTable(path, options), ReadBaciCodes(codes)};
  // BACI slices carry some UN M49 codes that its own code file renumbers
  // (380 Italy is 381 there): ISO 3166 numeric codes fill the gaps.
  for (const report_internal::IsoCode& iso : report_internal::kIsoCodes) {
    out.iso.emplace(std::stoll(iso.numeric), iso.alpha3);
  }
  return out;
}

std::string IsoOf(const BaciTable& baci, double code, size_t row_idx, const char* column) {
  const auto found = baci.iso.find(WholeNumber(code, baci.table, row_idx, column));
  if (found == baci.iso.end()) {
    throw Error(
        ErrorCode::kBadData,
        fmt::format("{}: country code {} is neither in the BACI country-code file nor an "
                    "ISO 3166 numeric code",
                    Where(baci.table.source, static_cast<int64_t>(row_idx) + 1, column), code));
  }
  return found->second;
}

}  // namespace

std::vector<InputRow> ReadBaci(const BaciSelection& selection) {
  const BaciTable baci = ReadBaciTable(selection.path, selection.country_codes);
  const Table& table = baci.table;
  const std::span<const double> year = RequireNumeric(table, "t");
  const std::span<const double> exporter = RequireNumeric(table, "i");
  const std::span<const double> importer = RequireNumeric(table, "j");
  const std::span<const double> value = RequireNumeric(table, "v");
  const Column& product = table.Get("k");
  const std::set<std::string> importers(selection.importers.begin(), selection.importers.end());
  const std::set<std::string> products(selection.products.begin(), selection.products.end());
  std::vector<InputRow> rows;
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    const std::string hs6 = Hs6Text(product, row_idx);
    if (products.count(hs6) == 0) continue;
    const std::string to = IsoOf(baci, importer[row_idx], row_idx, "j");
    if (importers.count(to) == 0) continue;
    if (std::isnan(value[row_idx]) || value[row_idx] < 0) {
      throw Error(ErrorCode::kBadData,
                  fmt::format("{}: trade value must be >= 0",
                              Where(selection.path, static_cast<int64_t>(row_idx) + 1, "v")));
    }
    InputRow row;
    row.reporter = to;
    row.partner = IsoOf(baci, exporter[row_idx], row_idx, "i");
    row.product = hs6;
    row.trade = value[row_idx];
    row.trade_status = CellStatus::kSourced;
    row.trade_source = fmt::format("BACI {} ({})", WholeNumber(year[row_idx], table, row_idx, "t"),
                                   fs::path(selection.path).filename().string());
    row.tariff_status = CellStatus::kToFill;
    row.origin = fmt::format("{}:row {}", selection.path, row_idx + 1);
    rows.push_back(std::move(row));
  }
  return rows;
}

namespace {

// A product code with the dots of national notation dropped (0902.30.010).
std::string Digits(const std::string& code) {
  std::string out;
  for (const char c : code) {
    if (c != '.') out += c;
  }
  return out;
}

bool AllDigits(const std::string& code) {
  return !code.empty() &&
         std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::vector<TariffRate> ReadTariffSchedule(const std::string& path) {
  const Table table = ReadWithTextColumns(path, {"reporter", "partner", "product", "source"});
  for (const char* column : {"reporter", "partner", "product", "tariff"}) {
    if (table.Find(column) == nullptr) {
      throw Error(ErrorCode::kBadData,
                  fmt::format("{}: missing column (a tariff schedule has reporter, partner, "
                              "product, tariff)",
                              Where(path, -1, column)));
    }
  }
  std::vector<TariffRate> rates;
  std::map<std::string, std::string> seen;  // reporter|partner|code -> origin
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    const auto row_number = static_cast<int64_t>(row_idx) + 1;
    TariffRate rate;
    rate.reporter = Text(table, "reporter", row_idx);
    rate.partner = Text(table, "partner", row_idx);
    rate.product = Digits(Text(table, "product", row_idx));
    CheckCountry(rate.reporter, table, row_idx, "reporter");
    if (rate.partner != "*") CheckCountry(rate.partner, table, row_idx, "partner");
    const size_t length = rate.product.size();
    if (!AllDigits(rate.product) || (length != 2 && length != 4 && (length < 6 || length > 12))) {
      throw Error(ErrorCode::kBadData,
                  fmt::format("{}: product '{}' must be an HS2, HS4 or HS6 code or a national "
                              "tariff line of 7 to 12 digits",
                              Where(path, row_number, "product"), Text(table, "product", row_idx)));
    }
    const double value = Number(table, "tariff", row_idx);
    if (std::isnan(value) || value < 0 || !std::isfinite(value)) {
      throw Error(ErrorCode::kBadData, fmt::format("{}: tariff must be a percentage >= 0",
                                                   Where(path, row_number, "tariff")));
    }
    rate.rate = value / 100;
    const double weight = Number(table, "trade_value", row_idx);
    if (!std::isnan(weight) && (weight < 0 || !std::isfinite(weight))) {
      throw Error(ErrorCode::kBadData, fmt::format("{}: trade value {} must be finite and >= 0",
                                                   Where(path, row_number, "trade_value"), weight));
    }
    rate.weight = weight;
    rate.source = Text(table, "source", row_idx);
    rate.origin = fmt::format("{}:row {}", path, row_idx + 1);
    const auto [it, inserted] =
        seen.emplace(rate.reporter + "|" + rate.partner + "|" + rate.product, rate.origin);
    if (!inserted) {
      throw Error(ErrorCode::kBadData,
                  fmt::format("{}: a second rate for {} {} {} (also {})", rate.origin,
                              rate.reporter, rate.partner, rate.product, it->second));
    }
    rates.push_back(std::move(rate));
  }
  return rates;
}

HsConcordance ReadHsConcordance(const std::string& path, const std::string& from,
                                const std::string& to) {
  const Table table = ReadWithTextColumns(path, {"from", "to"});
  for (const char* column : {"from", "to"}) {
    if (table.Find(column) == nullptr) {
      throw Error(ErrorCode::kBadData,
                  fmt::format("{}: missing column (a concordance has columns from and to, one "
                              "HS6 code each)",
                              Where(path, -1, column)));
    }
  }
  if (table.num_rows == 0) {
    throw Error(ErrorCode::kBadData, fmt::format("{}: the concordance has no rows", path));
  }
  HsConcordance out;
  out.path = path;
  out.from = from;
  out.to = to;
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    const std::string old_code = Digits(Text(table, "from", row_idx));
    const std::string new_code = Digits(Text(table, "to", row_idx));
    CheckHs6(old_code, table, row_idx, "from");
    CheckHs6(new_code, table, row_idx, "to");
    std::vector<std::string>& sources = out.sources[new_code];
    if (std::find(sources.begin(), sources.end(), old_code) == sources.end()) {
      sources.push_back(old_code);
    }
    out.from_codes.insert(old_code);
  }
  return out;
}

Table BuildComparables(const MarketAccessSpec& spec, std::map<std::string, double>* target_values) {
  const BaciTable baci = ReadBaciTable(spec.baci, spec.country_codes);
  const Table& table = baci.table;
  const std::span<const double> exporter = RequireNumeric(table, "i");
  const std::span<const double> importer = RequireNumeric(table, "j");
  const std::span<const double> value = RequireNumeric(table, "v");
  const Column& product = table.Get("k");
  std::map<std::string, double> total;          // destination -> all goods
  std::map<std::string, double> product_sales;  // destination -> this product
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    if (IsoOf(baci, exporter[row_idx], row_idx, "i") != spec.exporter) continue;
    if (std::isnan(value[row_idx]) || value[row_idx] < 0) continue;
    const std::string to = IsoOf(baci, importer[row_idx], row_idx, "j");
    total[to] += value[row_idx];
    if (Hs6Text(product, row_idx) == spec.product) product_sales[to] += value[row_idx];
  }
  if (total.empty()) {
    throw Error(ErrorCode::kBadData,
                fmt::format("{}: no exports of {} in the BACI file", spec.baci, spec.exporter));
  }
  ReadOptions options;
  options.columns = {"iso_o", "iso_d", "dist"};
  const Table dist = ReadTable(spec.distances, options);
  const Column& origin = dist.Get("iso_o");
  const Column& destination = dist.Get("iso_d");
  const std::span<const double> km = RequireNumeric(dist, "dist");
  std::map<std::string, double> distance;
  for (size_t row_idx = 0; row_idx < dist.num_rows; ++row_idx) {
    if (origin.CellText(row_idx) == spec.exporter && !std::isnan(km[row_idx])) {
      distance[destination.CellText(row_idx)] = km[row_idx];
    }
  }
  if (total.count(spec.target) == 0 || distance.count(spec.target) == 0) {
    throw Error(ErrorCode::kBadData,
                fmt::format("market access: {} has no recorded sales to {} or no distance in {}",
                            spec.exporter, spec.target, spec.distances));
  }
  std::vector<double> y;
  std::vector<double> ln_dist;
  std::vector<double> ln_total;
  for (const auto& [to, sales] : total) {
    if (to == spec.target || distance.count(to) == 0 || sales <= 0) continue;
    const auto found = product_sales.find(to);
    y.push_back(found == product_sales.end() ? 0.0 : found->second);
    ln_dist.push_back(std::log(distance[to]));
    ln_total.push_back(std::log(sales));
  }
  Table out;
  out.source = spec.baci;
  out.AddNumeric("trade", std::move(y));
  out.AddNumeric("ln_dist", std::move(ln_dist));
  out.AddNumeric("ln_total", std::move(ln_total));
  (*target_values)["ln_dist"] = std::log(distance[spec.target]);
  (*target_values)["ln_total"] = std::log(total[spec.target]);
  return out;
}

}  // namespace mizani::pe
