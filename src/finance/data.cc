// Readers for the financing inputs in ../shared/data: Kenya's external debt
// register, the CBK indicative rates and the IMF WEO (April 2025).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iterator>
#include <span>

#include "data/civil_date.h"
#include "mizani/error.h"
#include "mizani/finance.h"
#include "mizani/read.h"

namespace mizani::finance {

namespace {

void RequireFile(const std::string& path, const std::string& what) {
  if (!std::filesystem::exists(path)) {
    throw Error(ErrorCode::kFileUnreadable, fmt::format("{} not found: {}", what, path));
  }
}

// "DD/MM/YYYY" -> year, 1900 to 2200; nullopt when malformed or not a day
// of the calendar (data/civil_date.h).
std::optional<int> RegisterYear(const std::string& text) {
  const auto date = data::ParseCivilDate(text, data::DateOrder::kDayMonthYear, '/', 1900, 2200);
  if (!date) return std::nullopt;
  return date->year;
}

}  // namespace

std::map<std::string, double> LoadCbkUsdRates(const std::string& path, const std::string& date) {
  RequireFile(path, "CBK indicative rates");
  ReadOptions options;
  options.columns = {"date", "currency", "rate"};
  options.string_columns = {"date", "currency"};
  const Table table = ReadTable(path, options);
  const Column& dates = table.Get("date");
  const Column& names = table.Get("currency");
  const std::span<const double> rates = RequireNumeric(table, "rate");
  // CBK names -> ISO codes and the units quoted (JPY is per 100 yen).
  static const std::map<std::string, std::pair<std::string, double>> kNames = {
      {"US DOLLAR", {"USD", 1}},       {"STG POUND", {"GBP", 1}},    {"EURO", {"EUR", 1}},
      {"JPY(100)", {"JPY", 100}},      {"CHINESE YUAN", {"CNY", 1}}, {"S FRANC", {"CHF", 1}},
      {"SW KRONER", {"SEK", 1}},       {"NOR KRONER", {"NOK", 1}},   {"DAN KRONER", {"DKK", 1}},
      {"IND RUPEE", {"INR", 1}},       {"SAUDI RIYAL", {"SAR", 1}},  {"AE DIRHAM", {"AED", 1}},
      {"CANADIAN DOLLAR", {"CAD", 1}}, {"SA RAND", {"ZAR", 1}}};
  std::string best_date;
  std::map<std::string, double> kes_per_unit;
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    const std::string row_date = dates.CellText(row_idx);
    if (row_date > date || row_date < best_date) continue;
    if (row_date > best_date) {
      best_date = row_date;
      kes_per_unit.clear();
    }
    const auto found = kNames.find(names.CellText(row_idx));
    if (found != kNames.end() && rates[row_idx] > 0) {
      kes_per_unit[found->second.first] = rates[row_idx] / found->second.second;
    }
  }
  if (!kes_per_unit.count("USD")) {
    throw Error(ErrorCode::kBadData,
                fmt::format("{}: no US DOLLAR rate on or before {}", path, date));
  }
  std::map<std::string, double> usd_per_unit;
  for (const auto& [code, rate] : kes_per_unit) usd_per_unit[code] = rate / kes_per_unit["USD"];
  usd_per_unit["KES"] = 1 / kes_per_unit["USD"];
  return usd_per_unit;
}

RegisterLoad LoadDebtRegister(const std::string& path, const RegisterOptions& options) {
  RequireFile(path, "debt register");
  ReadOptions read_options;
  read_options.columns = {"loan_ref_number", "creditor_category", "maturity_date", "curr",
                          "amount_outstanding_as_at_30_06_2023_fx"};
  read_options.string_columns = {"loan_ref_number", "creditor_category", "maturity_date", "curr"};
  const Table table = ReadTable(path, read_options);
  const Column& ids = table.Get("loan_ref_number");
  const Column& categories = table.Get("creditor_category");
  const Column& maturities = table.Get("maturity_date");
  const Column& currencies = table.Get("curr");
  const std::span<const double> amounts =
      RequireNumeric(table, "amount_outstanding_as_at_30_06_2023_fx");
  RegisterLoad load;
  load.lines = static_cast<int>(table.num_rows);
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    const auto row = static_cast<int64_t>(row_idx) + 1;
    double amount = amounts[row_idx];
    if (std::isnan(amount) || amount == 0) continue;  // fully repaid or not yet disbursed
    if (amount < 0) {
      throw Error(ErrorCode::kBadData, Where(path, row, "amount_outstanding_as_at_30_06_2023_fx") +
                                           fmt::format(": negative amount {}", amount));
    }
    std::string currency = currencies.CellText(row_idx);
    // JPK: yen in thousands (kenya_debt/SOURCE.md); XDR is written as such.
    if (currency == "JPK") {
      currency = "JPY";
      amount *= 1000;
    }
    amount /= 1e6;  // millions
    const auto year = RegisterYear(maturities.CellText(row_idx));
    if (!year) {
      throw Error(ErrorCode::kBadData,
                  Where(path, row, "maturity_date") +
                      fmt::format(": '{}' is not a DD/MM/YYYY date", maturities.CellText(row_idx)));
    }
    const bool modelled = std::find(options.modelled.begin(), options.modelled.end(), currency) !=
                          options.modelled.end();
    const auto usd_rate = options.usd_per_unit.find(currency);
    if (usd_rate == options.usd_per_unit.end() && currency != "USD") {
      load.skipped_by_currency[currency] += 1;
      continue;
    }
    const double usd_per_unit = currency == "USD" ? 1.0 : usd_rate->second;
    load.total_usd += amount * usd_per_unit;
    Loan loan;
    loan.id = ids.CellText(row_idx);
    loan.creditor_category = categories.CellText(row_idx);
    loan.currency = modelled ? currency : "USD";
    loan.outstanding = modelled ? amount : amount * usd_per_unit;
    const auto rate = options.category_rates.find(loan.creditor_category);
    loan.rate = rate != options.category_rates.end() ? rate->second : options.default_rate;
    loan.floating =
        std::find(options.floating_categories.begin(), options.floating_categories.end(),
                  loan.creditor_category) != options.floating_categories.end();
    loan.external = true;
    loan.first_year = 0;
    loan.last_year = *year - options.first_year;
    load.loans.push_back(std::move(loan));
  }
  return load;
}

namespace {

// country -> code -> year -> value, from the long WEO file.
std::map<std::string, std::map<int, double>> WeoSeries(const std::string& path,
                                                       const std::string& country) {
  RequireFile(path, "IMF WEO file");
  ReadOptions options;
  options.columns = {"country", "weo_subject_code", "year", "value"};
  options.string_columns = {"country", "weo_subject_code"};
  const Table table = ReadTable(path, options);
  const Column& countries = table.Get("country");
  const Column& codes = table.Get("weo_subject_code");
  const std::span<const double> years = RequireNumeric(table, "year");
  const std::span<const double> values = RequireNumeric(table, "value");
  std::map<std::string, std::map<int, double>> series;
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    if (countries.CellText(row_idx) != country) continue;
    series[codes.CellText(row_idx)][WholeNumber(years[row_idx], table, row_idx, "year")] =
        values[row_idx];
  }
  if (series.empty()) {
    throw Error(
        ErrorCode::kBadScenario,
        fmt::format("country '{}' not found in {} (use the WEO name, e.g. Kenya)", country, path));
  }
  return series;
}

// Sample mean and standard deviation (n - 1); 0 where undefined.
void MeanAndSd(const std::vector<double>& values, double& mean, double& sd) {
  mean = 0;
  sd = 0;
  if (values.empty()) return;
  for (double value : values) mean += value;
  mean /= static_cast<double>(values.size());
  if (values.size() < 2) return;
  double squares = 0;
  for (double value : values) squares += (value - mean) * (value - mean);
  sd = std::sqrt(squares / static_cast<double>(values.size() - 1));
}

double Value(const std::map<std::string, std::map<int, double>>& series, const std::string& code,
             int year, const std::string& path) {
  const auto found = series.find(code);
  if (found != series.end()) {
    const auto value = found->second.find(year);
    if (value != found->second.end()) return value->second;
  }
  throw Error(ErrorCode::kBadData, fmt::format("{}: no value of {} for {}", path, code, year));
}

}  // namespace

MacroPath LoadWeoMacro(const std::string& path, const std::string& country, int first_year,
                       int years) {
  const auto series = WeoSeries(path, country);
  MacroPath macro;
  macro.base_gdp = Value(series, "NGDP", first_year - 1, path);
  macro.base_debt = Value(series, "GGXWDG", first_year - 1, path);
  double previous_gdp = macro.base_gdp;
  for (int year_idx = 0; year_idx < years; ++year_idx) {
    const int year = first_year + year_idx;
    // Beyond the WEO horizon (2030): the last year's real growth, nominal
    // growth, revenue and primary balance ratios, held constant.
    const int source_year = std::min(year, 2030);
    const double gdp_growth =
        Value(series, "NGDP", source_year, path) / Value(series, "NGDP", source_year - 1, path);
    const double gdp = year <= 2030 ? Value(series, "NGDP", year, path) : previous_gdp * gdp_growth;
    macro.years.push_back(year);
    macro.gdp.push_back(gdp);
    macro.real_growth.push_back(Value(series, "NGDP_RPCH", source_year, path) / 100);
    macro.revenue.push_back(Value(series, "GGR_NGDP", source_year, path) / 100 * gdp);
    macro.primary_balance.push_back(Value(series, "GGXONLB_NGDP", source_year, path) / 100 * gdp);
    previous_gdp = gdp;
  }
  return macro;
}

void ValidateExports(const ExportSeries& exports, int first_year, int horizon_years,
                     const std::string& where) {
  const auto check_values = [&](const std::map<int, double>& values, const char* key) {
    for (const auto& [year, value] : values) {
      if (!std::isfinite(value) || value <= 0) {
        throw Error(
            ErrorCode::kBadScenario,
            fmt::format("{} (exports.{}): exports of {} must be a positive finite number, got {}",
                        where, key, year, value));
      }
    }
  };
  check_values(exports.projection, "values");
  check_values(exports.history, "history");
  for (int year = first_year; year < first_year + horizon_years; ++year) {
    if (!exports.projection.count(year)) {
      throw Error(ErrorCode::kBadScenario,
                  fmt::format("{} (exports.values): no exports for {} (the projection runs {}-{})",
                              where, year, first_year, first_year + horizon_years - 1));
    }
  }
  if (exports.history.empty()) return;
  if (exports.history.size() < 3) {
    throw Error(
        ErrorCode::kBadScenario,
        fmt::format("{} (exports.history): {} years; the exports stress test needs at least 3 "
                    "consecutive years (2 growth rates)",
                    where, exports.history.size()));
  }
  int previous = exports.history.begin()->first - 1;
  for (const auto& [year, value] : exports.history) {
    if (year != previous + 1) {
      throw Error(
          ErrorCode::kBadScenario,
          fmt::format("{} (exports.history): no value for {} (the years must be consecutive)",
                      where, previous + 1));
    }
    previous = year;
  }
  if (previous >= first_year) {
    throw Error(ErrorCode::kBadScenario,
                fmt::format("{} (exports.history): {} is not before the first projection year {}",
                            where, previous, first_year));
  }
}

ExportSeries ExportsInUsd(const ExportSeries& exports, const std::string& weo_path,
                          const std::string& country) {
  if (exports.unit == ExportUnit::kUsdBillion) return exports;
  const auto series = WeoSeries(weo_path, country);
  const auto gdp_usd = [&](int year) {
    if (year <= 2030) return Value(series, "NGDPD", year, weo_path);
    const double growth =
        Value(series, "NGDPD", 2030, weo_path) / Value(series, "NGDPD", 2029, weo_path);
    return Value(series, "NGDPD", 2030, weo_path) * std::pow(growth, year - 2030);
  };
  ExportSeries usd;
  for (const auto& [year, percent] : exports.projection) {
    usd.projection[year] = percent / 100 * gdp_usd(year);
  }
  for (const auto& [year, percent] : exports.history) {
    usd.history[year] = percent / 100 * gdp_usd(year);
  }
  return usd;
}

GrowthMoments GrowthMomentsOf(const std::map<int, double>& series) {
  std::vector<double> growth;
  for (auto it = series.begin(); it != series.end() && std::next(it) != series.end(); ++it) {
    if (std::next(it)->first == it->first + 1)
      growth.push_back(std::next(it)->second / it->second - 1);
  }
  GrowthMoments moments;
  moments.observations = static_cast<int>(growth.size());
  MeanAndSd(growth, moments.mean, moments.sd);
  return moments;
}

MacroHistory LoadWeoHistory(const std::string& path, const std::string& country, int first_year,
                            int last_year) {
  const auto series = WeoSeries(path, country);
  std::vector<double> growth;
  std::vector<double> balance;
  for (int year = first_year; year <= last_year; ++year) {
    growth.push_back(Value(series, "NGDP_RPCH", year, path) / 100);
    balance.push_back(Value(series, "GGXONLB_NGDP", year, path) / 100);
  }
  MacroHistory history;
  MeanAndSd(growth, history.growth_mean, history.growth_sd);
  MeanAndSd(balance, history.balance_mean, history.balance_sd);
  return history;
}

}  // namespace mizani::finance
