// The baseline flow matrix and the partial-effect matrix B of a scenario.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <variant>

#include "mizani/error.h"
#include "mizani/scenario.h"
#include "scenario/internal.h"

namespace mizani {

namespace {

[[noreturn]] void Fail(const SourceRef& where, const std::string& message) {
  throw Error(ErrorCode::kBadScenario, fmt::format("{}: {}", where.Describe(), message));
}

const Column& RequireColumn(const Table& table, const std::string& name, const char* key,
                            const DataSpec& data) {
  const Column* column = table.Find(name);
  if (column == nullptr) {
    std::string known;
    for (const Column& candidate : table.columns) {
      known += (known.empty() ? "" : ", ") + candidate.name;
    }
    Fail(data.Where(key),
         fmt::format("column '{}' is not in {} (columns: {})", name, table.source, known));
  }
  return *column;
}

std::string Label(const Column& column, size_t row_idx) {
  if (column.type == ColumnType::kString) {
    const int32_t code = column.codes[row_idx];
    return code < 0 ? std::string() : column.levels[code];
  }
  return column.CellText(row_idx);
}

void Collect(const CountrySpec& spec, const Scenario& scenario,
             const std::map<std::string, int>& index, std::set<int>& out, int depth) {
  if (depth > 16) Fail(spec.where, "groups refer to each other in a cycle");
  for (const std::string& entry : spec.entries) {
    if (entry == "*") {
      for (const auto& [code, country_idx] : index) out.insert(country_idx);
      continue;
    }
    const auto group = scenario.groups.find(entry);
    if (group != scenario.groups.end()) {
      Collect(group->second, scenario, index, out, depth + 1);
      continue;
    }
    const auto found = index.find(entry);
    if (found == index.end()) {
      std::string codes;
      for (const auto& [code, country_idx] : index) codes += (codes.empty() ? "" : " ") + code;
      Fail(spec.where,
           fmt::format(
               "unknown country or group '{}': the baseline has {} countries ({}); "
               "groups: {}",
               entry, index.size(), codes, scenario.groups.empty() ? std::string("none") : [&] {
                 std::string names;
                 for (const auto& [name, group_spec] : scenario.groups) {
                   names += (names.empty() ? "" : ", ") + name;
                 }
                 return names;
               }()));
    }
    out.insert(found->second);
  }
}

// The pairs a shock changes: those selected, less those `unless` exempts.
std::vector<std::pair<int, int>> ShockPairs(const Shock& shock, const Scenario& scenario,
                                            const std::vector<std::string>& codes) {
  std::vector<std::pair<int, int>> pairs = SelectedPairs(shock, scenario, codes);
  const auto* agreement = std::get_if<AgreementShock>(&shock.spec);
  if (agreement != nullptr && !agreement->pairs_in_force.empty()) {
    pairs.erase(
        std::remove_if(
            pairs.begin(), pairs.end(),
            [&](const std::pair<int, int>& pair) {
              return agreement->pairs_in_force.count({codes[pair.first], codes[pair.second]}) > 0;
            }),
        pairs.end());
  }
  return pairs;
}

}  // namespace

std::vector<std::pair<int, int>> SelectedPairs(const Shock& shock, const Scenario& scenario,
                                               const std::vector<std::string>& codes) {
  const int num_countries = static_cast<int>(codes.size());
  std::vector<uint8_t> mask(static_cast<size_t>(num_countries) * num_countries, 0);
  auto set_pair = [&](int exporter_idx, int importer_idx) {
    if (exporter_idx != importer_idx) mask[exporter_idx * num_countries + importer_idx] = 1;
  };
  if (!shock.pairs.members.empty()) {
    const auto members = ResolveCountries(shock.pairs.members, scenario, codes);
    for (int exporter_idx : members) {
      for (int importer_idx : members) set_pair(exporter_idx, importer_idx);
    }
  } else if (!shock.pairs.between_a.empty()) {
    const auto side_a = ResolveCountries(shock.pairs.between_a, scenario, codes);
    const auto side_b = ResolveCountries(shock.pairs.between_b, scenario, codes);
    for (int a_idx : side_a) {
      for (int b_idx : side_b) {
        set_pair(a_idx, b_idx);
        set_pair(b_idx, a_idx);
      }
    }
  } else if (!shock.pairs.exporters.empty()) {
    const auto exporters = ResolveCountries(shock.pairs.exporters, scenario, codes);
    const auto importers = ResolveCountries(shock.pairs.importers, scenario, codes);
    for (int exporter_idx : exporters) {
      for (int importer_idx : importers) set_pair(exporter_idx, importer_idx);
    }
  } else if (!shock.pairs.country.empty()) {
    const auto countries = ResolveCountries(shock.pairs.country, scenario, codes);
    for (int country_idx : countries) {
      for (int partner_idx = 0; partner_idx < num_countries; ++partner_idx) {
        if (shock.pairs.side != TradeSide::kImports) set_pair(country_idx, partner_idx);
        if (shock.pairs.side != TradeSide::kExports) set_pair(partner_idx, country_idx);
      }
    }
  }
  std::vector<std::pair<int, int>> pairs;
  for (int exporter_idx = 0; exporter_idx < num_countries; ++exporter_idx) {
    for (int importer_idx = 0; importer_idx < num_countries; ++importer_idx) {
      if (mask[exporter_idx * num_countries + importer_idx]) {
        pairs.emplace_back(exporter_idx, importer_idx);
      }
    }
  }
  return pairs;
}

std::vector<int> ResolveCountries(const CountrySpec& spec, const Scenario& scenario,
                                  const std::vector<std::string>& codes) {
  std::map<std::string, int> index;
  for (size_t country_idx = 0; country_idx < codes.size(); ++country_idx) {
    index[codes[country_idx]] = static_cast<int>(country_idx);
  }
  std::set<int> out;
  Collect(spec, scenario, index, out, 0);
  return std::vector<int>(out.begin(), out.end());
}

Baseline BuildBaseline(const Table& table, const DataSpec& data) {
  const Column& exporter = RequireColumn(table, data.exporter, "data.exporter", data);
  const Column& importer = RequireColumn(table, data.importer, "data.importer", data);
  const Column& trade = RequireColumn(table, data.trade, "data.trade", data);
  // A text column: the error names the first cell that is not a finite
  // number ("inf", "n/a"), file, row and column (RequireNumeric).
  if (trade.type != ColumnType::kNumeric) (void)RequireNumeric(table, data.trade);
  const Column* year = nullptr;
  if (data.baseline_year) {
    year = &RequireColumn(table, data.year, "data.year", data);
    if (year->type != ColumnType::kNumeric) (void)RequireNumeric(table, data.year);
  } else if (table.Find(data.year) != nullptr) {
    // A panel without a chosen year would mix years in one matrix.
    const Column& year_column = *table.Find(data.year);
    std::set<double> years;
    for (size_t row_idx = 0; row_idx < table.num_rows && years.size() < 2; ++row_idx) {
      if (year_column.type == ColumnType::kNumeric) years.insert(year_column.values()[row_idx]);
    }
    if (years.size() > 1) {
      Fail(data.Where("data.baseline_year"),
           fmt::format("the data hold several years in column '{}': set baseline_year", data.year));
    }
  }
  std::vector<size_t> rows;
  std::set<std::string> exporters, importers;
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    if (year != nullptr && year->values()[row_idx] != static_cast<double>(*data.baseline_year)) {
      continue;
    }
    rows.push_back(row_idx);
    exporters.insert(Label(exporter, row_idx));
    importers.insert(Label(importer, row_idx));
  }
  const SourceRef year_ref = data.Where("data.baseline_year");
  if (rows.empty()) {
    Fail(year_ref, fmt::format("no rows for baseline year {} in {}", data.baseline_year.value_or(0),
                               table.source));
  }
  for (const std::string& code : exporters) {
    if (code.empty()) Fail(year_ref, "a row has no exporter code");
    if (importers.count(code) == 0) {
      Fail(year_ref, fmt::format("the flow matrix is not square: '{}' is an exporter but never an "
                                 "importer in the baseline year",
                                 code));
    }
  }
  for (const std::string& code : importers) {
    if (exporters.count(code) == 0) {
      Fail(year_ref, fmt::format("the flow matrix is not square: '{}' is an importer but never an "
                                 "exporter in the baseline year",
                                 code));
    }
  }
  Baseline baseline;
  baseline.codes.assign(exporters.begin(), exporters.end());
  std::map<std::string, int> index;
  for (size_t country_idx = 0; country_idx < baseline.codes.size(); ++country_idx) {
    index[baseline.codes[country_idx]] = static_cast<int>(country_idx);
  }
  const int num_countries = static_cast<int>(baseline.codes.size());
  // NaN marks "no row yet"; pairs without a row are zero flows.
  baseline.flows = Eigen::MatrixXd::Constant(num_countries, num_countries, std::nan(""));
  for (size_t row_idx : rows) {
    const int exporter_idx = index[Label(exporter, row_idx)];
    const int importer_idx = index[Label(importer, row_idx)];
    const double value = trade.values()[row_idx];
    const std::string pair =
        fmt::format("{}->{}", baseline.codes[exporter_idx], baseline.codes[importer_idx]);
    if (!std::isnan(baseline.flows(exporter_idx, importer_idx))) {
      Fail(year_ref, fmt::format("two rows for the flow {} in the baseline year ({}: row {})", pair,
                                 table.source, row_idx + 1));
    }
    if (std::isnan(value) || value < 0 || !std::isfinite(value)) {
      Fail(year_ref, fmt::format("the flow {} is missing or negative ({}: row {}, column '{}')",
                                 pair, table.source, row_idx + 1, data.trade));
    }
    baseline.flows(exporter_idx, importer_idx) = value;
  }
  for (int country_idx = 0; country_idx < num_countries; ++country_idx) {
    const double domestic = baseline.flows(country_idx, country_idx);
    if (std::isnan(domestic) || domestic <= 0) {
      Fail(year_ref,
           fmt::format("the domestic flow {0}->{0} is {1}: structural gravity needs every "
                       "domestic (intra-national) flow present and > 0 in the baseline year",
                       baseline.codes[country_idx], std::isnan(domestic) ? "missing" : "zero"));
    }
  }
  for (int exporter_idx = 0; exporter_idx < num_countries; ++exporter_idx) {
    for (int importer_idx = 0; importer_idx < num_countries; ++importer_idx) {
      double& value = baseline.flows(exporter_idx, importer_idx);
      if (std::isnan(value)) {
        ++baseline.absent_pairs;
        value = 0;
      }
      if (value == 0) ++baseline.zero_pairs;
    }
  }
  return baseline;
}

Eigen::MatrixXd BuildPartialEffects(const Scenario& scenario, const std::vector<std::string>& codes,
                                    const std::map<std::string, double>& coefficients,
                                    const ShockOverride& override_size) {
  const int num_countries = static_cast<int>(codes.size());
  const double theta = scenario.model.theta;
  Eigen::MatrixXd log_effect = Eigen::MatrixXd::Zero(num_countries, num_countries);
  // Level-setting shocks (agreement, tariff, ntb) state the value a pair's
  // policy takes; two of the same kind may cover a pair only if they state the
  // same thing (then it counts once). Trade-cost changes are relative and
  // compose multiplicatively.
  // Claims are per kind and subject (a regressor shock's term).
  std::map<std::pair<ShockKind, std::string>,
           std::map<std::pair<int, int>, std::pair<std::string, int>>>
      claimed;
  for (size_t shock_idx = 0; shock_idx < scenario.shocks.size(); ++shock_idx) {
    const Shock& shock = scenario.shocks[shock_idx];
    const bool overridden = static_cast<int>(shock_idx) == override_size.shock_index;
    ShockEffectInputs inputs;
    inputs.theta = theta;
    inputs.coefficients = &coefficients;
    if (overridden) inputs.size = override_size.value;
    inputs.where = shock.where;
    const ShockEffect shock_effect =
        std::visit([&](const auto& kind) { return kind.Effect(inputs); }, shock.spec);
    const std::string& signature = shock_effect.signature;
    const auto pairs = ShockPairs(shock, scenario, codes);
    if (pairs.empty()) {
      Fail(shock.where, "the shock selects no pair of distinct countries");
    }
    for (const auto& pair : pairs) {
      if (!signature.empty()) {
        auto& owner = claimed[{shock.kind(), shock_effect.subject}];
        const auto found = owner.find(pair);
        if (found != owner.end()) {
          if (found->second.first != signature) {
            const Shock& other = scenario.shocks[found->second.second];
            Fail(shock.where,
                 fmt::format("contradicts {}{} on the pair {}->{}: one says {}, the other "
                             "{}; a pair can have only one {} setting",
                             other.where.Describe(),
                             other.name == other.where.key ? "" : " ('" + other.name + "')",
                             codes[pair.first], codes[pair.second], found->second.first, signature,
                             ToString(shock.kind())));
          }
          continue;  // the same statement twice counts once
        }
        owner[pair] = {signature, static_cast<int>(shock_idx)};
      }
      double effect = shock_effect.log_effect;
      if (shock_effect.pair_values != nullptr) {
        const auto value = shock_effect.pair_values->find({codes[pair.first], codes[pair.second]});
        if (value == shock_effect.pair_values->end()) continue;  // no data: unchanged
        effect += shock_effect.slope * value->second;
      }
      log_effect(pair.first, pair.second) += effect;
    }
  }
  return log_effect.array().exp().matrix();
}

}  // namespace mizani
