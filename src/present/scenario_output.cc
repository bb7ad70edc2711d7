// Outputs of a scenario run: tables (CSV), results.json, the report and the
// stdout summary. Tables are built once as ReportTables so that the CSV files
// and the report show the same numbers.
#include "mizani/scenario_output.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

#include "mizani/error.h"
#include "report/json_values.h"
#include "scenario/internal.h"

namespace mizani {

namespace {

const char* ModeText(GeMode mode) {
  return mode == GeMode::kConditional ? "conditional" : "full endowment";
}

bool Wanted(const ScenarioOutcome& outcome, const std::string& table) {
  if (outcome.tables.empty()) return true;
  return std::find(outcome.tables.begin(), outcome.tables.end(), table) != outcome.tables.end();
}

bool HasIntervals(const ScenarioOutcome& outcome) {
  return outcome.uncertainty.method != UncertaintyMethod::kNone;
}

ReportTable CountryTable(const ScenarioOutcome& outcome) {
  const GeCountryResults& countries = outcome.ge.countries;
  ReportTable table;
  table.name = "countries";
  table.caption = "Per-country outcomes";
  table.columns = {{"country", ValueKind::kText},
                   {"exports_before", ValueKind::kNumber},
                   {"exports_after", ValueKind::kNumber},
                   {"imports_before", ValueKind::kNumber},
                   {"imports_after", ValueKind::kNumber},
                   {"output_before", ValueKind::kNumber},
                   {"output_after", ValueKind::kNumber},
                   {"expenditure_before", ValueKind::kNumber},
                   {"expenditure_after", ValueKind::kNumber}};
  const auto outputs = CountryOutputs(outcome.ge);
  for (const auto& [name, values] : outputs) {
    table.columns.push_back({name, ValueKind::kPercent, 3});
    if (HasIntervals(outcome)) {
      table.columns.push_back({name + "_lower", ValueKind::kPercent, 3});
      table.columns.push_back({name + "_upper", ValueKind::kPercent, 3});
    }
  }
  for (size_t country_idx = 0; country_idx < outcome.codes.size(); ++country_idx) {
    const Eigen::Index at = static_cast<Eigen::Index>(country_idx);
    std::vector<ReportCell> row = {outcome.codes[country_idx],     countries.exports_before(at),
                                   countries.exports_after(at),    countries.imports_before(at),
                                   countries.imports_after(at),    countries.output_before(at),
                                   countries.output_after(at),     countries.expenditure_before(at),
                                   countries.expenditure_after(at)};
    for (size_t output_idx = 0; output_idx < outputs.size(); ++output_idx) {
      row.emplace_back(outputs[output_idx].second(at));
      if (HasIntervals(outcome)) {
        row.emplace_back(outcome.uncertainty.countries[output_idx].lower(at));
        row.emplace_back(outcome.uncertainty.countries[output_idx].upper(at));
      }
    }
    table.rows.push_back(std::move(row));
  }
  if (outcome.model.mode == GeMode::kConditional) {
    table.note =
        "Conditional GE holds output and expenditure fixed: real GDP and welfare are "
        "not defined (empty).";
  }
  return table;
}

// The report's per-country table: the headline percent changes only (the
// full table is countries.csv).
ReportTable CountrySummaryTable(const ScenarioOutcome& outcome) {
  ReportTable table;
  table.name = "country_summary";
  table.caption = "Per-country effects (% change)";
  table.columns = {{"country", ValueKind::kText}};
  const auto outputs = CountryOutputs(outcome.ge);
  const bool conditional = outcome.model.mode == GeMode::kConditional;
  std::vector<size_t> shown;
  for (size_t output_idx = 0; output_idx < outputs.size(); ++output_idx) {
    const std::string& name = outputs[output_idx].first;
    if (conditional && (name == "real_gdp_change_pct" || name == "welfare_change_pct" ||
                        name == "factory_gate_price_change_pct")) {
      continue;
    }
    if (name == "outward_resistance_change_pct") continue;
    shown.push_back(output_idx);
    static const std::map<std::string, std::string> kLabels = {
        {"exports_change_pct", "Exports"},
        {"imports_change_pct", "Imports"},
        {"real_gdp_change_pct", "Real GDP"},
        {"welfare_change_pct", "Welfare"},
        {"factory_gate_price_change_pct", "Factory-gate price"},
        {"inward_resistance_change_pct", "Inward resistance"}};
    const std::string& label = kLabels.at(name);
    table.columns.push_back({label, ValueKind::kPercent, 2});
    if (HasIntervals(outcome) &&
        name == (conditional ? "exports_change_pct" : "real_gdp_change_pct")) {
      table.columns.push_back({label + " lower", ValueKind::kPercent, 2});
      table.columns.push_back({label + " upper", ValueKind::kPercent, 2});
    }
  }
  for (size_t country_idx = 0; country_idx < outcome.codes.size(); ++country_idx) {
    const Eigen::Index at = static_cast<Eigen::Index>(country_idx);
    std::vector<ReportCell> row = {outcome.codes[country_idx]};
    for (size_t output_idx : shown) {
      const std::string& name = outputs[output_idx].first;
      row.emplace_back(outputs[output_idx].second(at));
      if (HasIntervals(outcome) &&
          name == (conditional ? "exports_change_pct" : "real_gdp_change_pct")) {
        row.emplace_back(outcome.uncertainty.countries[output_idx].lower(at));
        row.emplace_back(outcome.uncertainty.countries[output_idx].upper(at));
      }
    }
    table.rows.push_back(std::move(row));
  }
  table.note =
      "Exports and imports are international (domestic sales excluded). Full table: "
      "countries.csv.";
  return table;
}

ReportTable PairTable(const ScenarioOutcome& outcome) {
  ReportTable table;
  table.name = "pairs";
  table.caption = "Bilateral flows before and after (every pair, domestic included)";
  table.columns = {
      {"exporter", ValueKind::kText},        {"importer", ValueKind::kText},
      {"baseline_flow", ValueKind::kNumber}, {"partial_effect", ValueKind::kNumber, 6},
      {"new_flow", ValueKind::kNumber},      {"flow_change_pct", ValueKind::kPercent, 3}};
  const int num_countries = static_cast<int>(outcome.codes.size());
  for (int exporter_idx = 0; exporter_idx < num_countries; ++exporter_idx) {
    for (int importer_idx = 0; importer_idx < num_countries; ++importer_idx) {
      table.rows.push_back({outcome.codes[exporter_idx], outcome.codes[importer_idx],
                            outcome.ge.baseline_flows(exporter_idx, importer_idx),
                            outcome.partial_effects(exporter_idx, importer_idx),
                            outcome.ge.new_flows(exporter_idx, importer_idx),
                            outcome.ge.flow_change_pct(exporter_idx, importer_idx)});
    }
  }
  return table;
}

ReportTable GroupTable(const ScenarioOutcome& outcome) {
  ReportTable table;
  table.name = "groups";
  table.caption = "Share of each group's international trade that stays inside the group";
  table.columns = {{"group", ValueKind::kText},
                   {"members", ValueKind::kText},
                   {"share_before_pct", ValueKind::kPercent, 3},
                   {"share_after_pct", ValueKind::kPercent, 3}};
  if (HasIntervals(outcome)) {
    table.columns.push_back({"share_after_lower_pct", ValueKind::kPercent, 3});
    table.columns.push_back({"share_after_upper_pct", ValueKind::kPercent, 3});
  }
  for (size_t group_idx = 0; group_idx < outcome.ge.groups.size(); ++group_idx) {
    const GeGroupResult& group = outcome.ge.groups[group_idx];
    std::string members;
    for (int member : group.members)
      members += (members.empty() ? "" : " ") + outcome.codes[member];
    std::vector<ReportCell> row = {group.name, members, 100 * group.intra_share_before,
                                   100 * group.intra_share_after};
    if (HasIntervals(outcome)) {
      row.emplace_back(100 *
                       outcome.uncertainty.groups.lower(static_cast<Eigen::Index>(group_idx)));
      row.emplace_back(100 *
                       outcome.uncertainty.groups.upper(static_cast<Eigen::Index>(group_idx)));
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

ReportTable CoefficientTable(const ScenarioOutcome& outcome) {
  ReportTable table;
  table.name = "coefficients";
  table.caption = "Estimated coefficients";
  table.columns = {{"term", ValueKind::kText},
                   {"estimate", ValueKind::kNumber, 6},
                   {"std_error", ValueKind::kNumber, 6},
                   {"feeds_shocks", ValueKind::kText}};
  if (HasIntervals(outcome)) {
    table.columns.push_back({"lower", ValueKind::kNumber, 6});
    table.columns.push_back({"upper", ValueKind::kNumber, 6});
  }
  const EstimateResult& result = *outcome.estimation;
  const Eigen::VectorXd se = result.StdErrors();
  const IntervalSet& intervals = outcome.uncertainty.coefficients;
  for (size_t coef_idx = 0; coef_idx < result.coef_names.size(); ++coef_idx) {
    const std::string& name = result.coef_names[coef_idx];
    const bool used = outcome.coefficients.count(name) > 0;
    std::vector<ReportCell> row = {name, result.coef(static_cast<Eigen::Index>(coef_idx)),
                                   se(static_cast<Eigen::Index>(coef_idx)),
                                   std::string(used ? "yes" : "no")};
    if (HasIntervals(outcome)) {
      // Intervals exist for the terms that feed shocks.
      double lower = std::nan(""), upper = std::nan("");
      const auto found = std::find(intervals.labels.begin(), intervals.labels.end(), name);
      if (found != intervals.labels.end()) {
        lower = intervals.lower(found - intervals.labels.begin());
        upper = intervals.upper(found - intervals.labels.begin());
      }
      row.emplace_back(lower);
      row.emplace_back(upper);
    }
    table.rows.push_back(std::move(row));
  }
  table.note = fmt::format("{}; {} observations; {}", result.formula, result.num_obs,
                           result.vcov_description);
  return table;
}

ReportTable FocusTable(const ScenarioOutcome& outcome) {
  ReportTable table;
  table.name = "focus";
  table.caption =
      fmt::format("Focus pair {} -> {}", outcome.focus_exporter, outcome.focus_importer);
  table.columns = {
      {"exporter", ValueKind::kText},        {"importer", ValueKind::kText},
      {"baseline_flow", ValueKind::kNumber}, {"partial_change_pct", ValueKind::kPercent, 3},
      {"new_flow", ValueKind::kNumber},      {"flow_change_pct", ValueKind::kPercent, 3}};
  if (HasIntervals(outcome)) {
    table.columns.push_back({"flow_change_lower_pct", ValueKind::kPercent, 3});
    table.columns.push_back({"flow_change_upper_pct", ValueKind::kPercent, 3});
  }
  const auto index = [&](const std::string& code) {
    return std::find(outcome.codes.begin(), outcome.codes.end(), code) - outcome.codes.begin();
  };
  for (const auto& [from, to] : {std::pair(outcome.focus_exporter, outcome.focus_importer),
                                 std::pair(outcome.focus_importer, outcome.focus_exporter)}) {
    const auto exporter_idx = index(from), importer_idx = index(to);
    std::vector<ReportCell> row = {from,
                                   to,
                                   outcome.ge.baseline_flows(exporter_idx, importer_idx),
                                   100 * (outcome.partial_effects(exporter_idx, importer_idx) - 1),
                                   outcome.ge.new_flows(exporter_idx, importer_idx),
                                   outcome.ge.flow_change_pct(exporter_idx, importer_idx)};
    if (HasIntervals(outcome)) {
      const bool first = from == outcome.focus_exporter;
      row.emplace_back(first ? outcome.uncertainty.focus.lower(0) : std::nan(""));
      row.emplace_back(first ? outcome.uncertainty.focus.upper(0) : std::nan(""));
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

ReportTable GoalTable(const ScenarioOutcome& outcome) {
  ReportTable table;
  table.name = "goal";
  table.caption = "Goal seeking: shock sizes tried and the outcome at each";
  table.columns = {{"evaluation", ValueKind::kNumber, 0},
                   {"shock_size", ValueKind::kNumber, 8},
                   {"outcome", ValueKind::kNumber, 8}};
  for (size_t eval_idx = 0; eval_idx < outcome.goal->trace.size(); ++eval_idx) {
    table.rows.push_back({static_cast<double>(eval_idx + 1), outcome.goal->trace[eval_idx].first,
                          outcome.goal->trace[eval_idx].second});
  }
  table.note = outcome.goal->message;
  return table;
}

// Real GDP and exports of every country at every sigma of the grid (the same
// shocks solved again); the scenario's own sigma is one of the columns.
ReportTable SensitivityTable(const ScenarioOutcome& outcome) {
  const SigmaSensitivity& sensitivity = outcome.sensitivity;
  ReportTable table;
  table.name = "sensitivity";
  table.caption = "Sensitivity to the elasticity of substitution sigma (same shocks)";
  table.columns = {{"country", ValueKind::kText}};
  for (const double sigma : sensitivity.sigmas) {
    table.columns.push_back(
        {fmt::format("real_gdp_change_pct_sigma_{:g}", sigma), ValueKind::kPercent, 3});
  }
  for (const double sigma : sensitivity.sigmas) {
    table.columns.push_back(
        {fmt::format("exports_change_pct_sigma_{:g}", sigma), ValueKind::kPercent, 3});
  }
  const auto num_sigmas = static_cast<Eigen::Index>(sensitivity.sigmas.size());
  for (size_t country_idx = 0; country_idx < outcome.codes.size(); ++country_idx) {
    const auto row_idx = static_cast<Eigen::Index>(country_idx);
    std::vector<ReportCell> row = {outcome.codes[country_idx]};
    for (Eigen::Index sigma_idx = 0; sigma_idx < num_sigmas; ++sigma_idx) {
      row.emplace_back(sensitivity.real_gdp_change_pct(row_idx, sigma_idx));
    }
    for (Eigen::Index sigma_idx = 0; sigma_idx < num_sigmas; ++sigma_idx) {
      row.emplace_back(sensitivity.exports_change_pct(row_idx, sigma_idx));
    }
    table.rows.push_back(std::move(row));
  }
  std::string note = fmt::format("sigma = {:g} is the scenario's value", outcome.theta + 1);
  for (const std::string& failure : sensitivity.failures) note += "; not solved at " + failure;
  table.note = note;
  return table;
}

std::vector<ReportTable> AllTables(const ScenarioOutcome& outcome) {
  std::vector<ReportTable> tables;
  if (Wanted(outcome, "countries")) tables.push_back(CountryTable(outcome));
  if (Wanted(outcome, "pairs")) tables.push_back(PairTable(outcome));
  if (Wanted(outcome, "groups") && !outcome.ge.groups.empty())
    tables.push_back(GroupTable(outcome));
  if (Wanted(outcome, "coefficients") && outcome.estimation) {
    tables.push_back(CoefficientTable(outcome));
  }
  if (Wanted(outcome, "focus") && !outcome.focus_exporter.empty()) {
    tables.push_back(FocusTable(outcome));
  }
  if (Wanted(outcome, "goal") && outcome.goal) tables.push_back(GoalTable(outcome));
  if (Wanted(outcome, "sensitivity") && !outcome.sensitivity.sigmas.empty()) {
    tables.push_back(SensitivityTable(outcome));
  }
  return tables;
}

nlohmann::json Vector(const Eigen::VectorXd& values) {
  nlohmann::json array = nlohmann::json::array();
  for (Eigen::Index idx = 0; idx < values.size(); ++idx) array.push_back(JsonNumber(values(idx)));
  return array;
}

nlohmann::json ToJson(const ScenarioOutcome& outcome) {
  nlohmann::json doc;
  doc["mizani_version"] = MIZANI_VERSION;
  doc["scenario"] = {
      {"name", outcome.name}, {"description", outcome.description}, {"file", outcome.file}};
  doc["baseline_year"] =
      outcome.baseline_year ? nlohmann::json(*outcome.baseline_year) : nlohmann::json(nullptr);
  doc["model"] = {{"theta", outcome.theta},
                  {"sigma", outcome.theta + 1},
                  {"mode", ModeText(outcome.model.mode)},
                  {"imbalances", ImbalanceText(outcome.model.imbalance)},
                  {"solver", "hat"},
                  {"normalisation", outcome.model.normalization == Normalization::kWorldOutput
                                        ? "world_output"
                                        : "reference:" + outcome.model.reference_country}};
  const GeResult& ge = outcome.ge;
  doc["ge"] = {{"termination", ToString(ge.termination)},
               {"message", ge.message},
               {"iterations", ge.iterations},
               {"market_clearing_residual", ge.market_clearing_residual},
               {"budget_residual", ge.budget_residual},
               {"world_output_hat", ge.world_output_hat}};
  if (!outcome.sensitivity.sigmas.empty()) {
    const SigmaSensitivity& sensitivity = outcome.sensitivity;
    nlohmann::json real_gdp = nlohmann::json::array();
    nlohmann::json exports = nlohmann::json::array();
    nlohmann::json welfare = nlohmann::json::array();
    for (Eigen::Index sigma_idx = 0; sigma_idx < sensitivity.real_gdp_change_pct.cols();
         ++sigma_idx) {
      real_gdp.push_back(Vector(sensitivity.real_gdp_change_pct.col(sigma_idx)));
      exports.push_back(Vector(sensitivity.exports_change_pct.col(sigma_idx)));
      welfare.push_back(Vector(sensitivity.welfare_change_pct.col(sigma_idx)));
    }
    doc["sensitivity"] = {{"sigma", sensitivity.sigmas},
                          {"real_gdp_change_pct", real_gdp},
                          {"welfare_change_pct", welfare},
                          {"exports_change_pct", exports},
                          {"failures", sensitivity.failures}};
  }
  doc["countries"]["codes"] = outcome.codes;
  for (const auto& [name, values] : CountryOutputs(ge)) doc["countries"][name] = Vector(values);
  doc["countries"]["exports_before"] = Vector(ge.countries.exports_before);
  doc["countries"]["exports_after"] = Vector(ge.countries.exports_after);
  doc["countries"]["imports_before"] = Vector(ge.countries.imports_before);
  doc["countries"]["imports_after"] = Vector(ge.countries.imports_after);
  doc["countries"]["output_before"] = Vector(ge.countries.output_before);
  doc["countries"]["output_after"] = Vector(ge.countries.output_after);
  doc["groups"] = nlohmann::json::array();
  for (const GeGroupResult& group : ge.groups) {
    nlohmann::json members = nlohmann::json::array();
    for (int member : group.members) members.push_back(outcome.codes[member]);
    doc["groups"].push_back({{"name", group.name},
                             {"members", members},
                             {"intra_share_before", group.intra_share_before},
                             {"intra_share_after", group.intra_share_after}});
  }
  if (!outcome.focus_exporter.empty()) {
    doc["focus"] = {{"exporter", outcome.focus_exporter},
                    {"importer", outcome.focus_importer},
                    {"flow_change_pct", JsonNumber(FocusChangePct(outcome, ge))}};
  }
  if (outcome.estimation) {
    const EstimateResult& result = *outcome.estimation;
    const Eigen::VectorXd se = result.StdErrors();
    nlohmann::json coefficients = nlohmann::json::array();
    for (size_t coef_idx = 0; coef_idx < result.coef_names.size(); ++coef_idx) {
      coefficients.push_back({{"term", result.coef_names[coef_idx]},
                              {"estimate", JsonNumber(result.coef(coef_idx))},
                              {"std_error", JsonNumber(se(coef_idx))}});
    }
    doc["estimation"] = {{"formula", result.formula},
                         {"num_obs", result.num_obs},
                         {"vcov", result.vcov_description},
                         {"iterations", result.iterations},
                         {"coefficients", coefficients}};
    nlohmann::json dropped = nlohmann::json::object();
    for (const auto& [reason, count] : result.dropped) dropped[DropReasonName(reason)] = count;
    doc["estimation"]["dropped"] = dropped;
  }
  if (HasIntervals(outcome)) {
    const UncertaintyResult& u = outcome.uncertainty;
    nlohmann::json intervals;
    for (const IntervalSet& set : u.countries) {
      intervals[set.name] = {{"lower", Vector(set.lower)}, {"upper", Vector(set.upper)}};
    }
    doc["uncertainty"] = {
        {"method", u.method == UncertaintyMethod::kParametric ? "parametric" : "pair"},
        {"replications", u.replications},
        {"succeeded", u.succeeded},
        {"level", u.level},
        {"seed", u.seed},
        {"unit", u.unit},
        {"threads", u.threads},
        {"seconds", u.seconds},
        {"countries", intervals},
        {"groups", {{"lower", Vector(u.groups.lower)}, {"upper", Vector(u.groups.upper)}}},
        {"focus", {{"lower", Vector(u.focus.lower)}, {"upper", Vector(u.focus.upper)}}},
        {"coefficients",
         {{"lower", Vector(u.coefficients.lower)}, {"upper", Vector(u.coefficients.upper)}}}};
  }
  if (outcome.goal) {
    nlohmann::json trace = nlohmann::json::array();
    for (const auto& [size, value] : outcome.goal->trace) trace.push_back({size, value});
    doc["goal"] = {{"reached", outcome.goal->reached},
                   {"shock_size", outcome.goal->value},
                   {"iterations", outcome.goal->iterations},
                   {"message", outcome.goal->message},
                   {"trace", trace}};
  }
  AddRunRecord(doc, outcome.notes, outcome.seconds);
  return doc;
}

}  // namespace

ReportDocument BuildScenarioReport(const ScenarioOutcome& outcome) {
  ReportDocument doc;
  doc.title = ScenarioReportTitle(outcome);
  doc.subtitle = ScenarioReportSubtitle(outcome);
  doc.generated_at = ReportTimestamp();
  doc.sections.push_back(ScenarioAdviserSummary(outcome));
  ReportSection setup{"Assumptions", {}};
  AssumptionList assumptions;
  assumptions.items = {
      {"Scenario file", outcome.file},
      {"Baseline year", outcome.baseline_year ? std::to_string(*outcome.baseline_year)
                                              : std::string("(cross-section)")},
      {"Countries", std::to_string(outcome.codes.size())},
      {"Elasticity of substitution (sigma)", fmt::format("{:g}", outcome.theta + 1)},
      {"General equilibrium", ModeText(outcome.model.mode)},
      {"Trade imbalances", ImbalanceText(outcome.model.imbalance)},
      {"Solver", "exact hat algebra (Dekle, Eaton & Kortum 2007)"}};
  for (const auto& [term, value] : outcome.coefficients) {
    // The standard error tells the reader how much to trust the shock size.
    std::string text = fmt::format("{:.6f} (estimated)", value);
    if (outcome.estimation) {
      const auto& names = outcome.estimation->coef_names;
      const auto found = std::find(names.begin(), names.end(), term);
      if (found != names.end()) {
        text = fmt::format("{:.6f} (SE {:.6f}; {}, {} observations)", value,
                           outcome.estimation->StdErrors()(found - names.begin()),
                           outcome.estimation->formula, outcome.estimation->num_obs);
      }
    }
    assumptions.items.emplace_back("Coefficient " + term, text);
  }
  const UncertaintyResult& drawn = outcome.uncertainty;
  if (drawn.sigma_draws.size() > 0) {
    double low = INFINITY;
    double high = -INFINITY;
    for (const double value : drawn.sigma_draws) {
      if (std::isfinite(value)) {
        low = std::min(low, value);
        high = std::max(high, value);
      }
    }
    assumptions.items.emplace_back(
        "Sigma in the intervals",
        fmt::format("drawn per replication ({:g} to {:g}), with the coefficients", low, high));
  }
  setup.blocks.emplace_back(assumptions);
  if (outcome.goal) setup.blocks.emplace_back(ReportParagraph{outcome.goal->message});
  for (const std::string& note : outcome.notes) setup.blocks.emplace_back(ReportParagraph{note});
  doc.sections.push_back(std::move(setup));

  ReportSection results{"Results", {}};
  {
    // Key results in words, first.
    std::string key;
    for (const GeGroupResult& group : outcome.ge.groups) {
      key += fmt::format(
          "{}'s intra-group share of international trade moves from {:.2f}% to "
          "{:.2f}%. ",
          group.name, 100 * group.intra_share_before, 100 * group.intra_share_after);
    }
    if (!outcome.focus_exporter.empty()) {
      key += fmt::format("Exports from {} to {} change by {:+.2f}%. ", outcome.focus_exporter,
                         outcome.focus_importer, FocusChangePct(outcome, outcome.ge));
    }
    if (!key.empty()) results.blocks.emplace_back(ReportParagraph{key});
  }
  const auto outputs = CountryOutputs(outcome.ge);
  const std::string headline_name =
      outcome.model.mode == GeMode::kConditional ? "exports_change_pct" : "real_gdp_change_pct";
  for (size_t output_idx = 0; output_idx < outputs.size(); ++output_idx) {
    if (outputs[output_idx].first != headline_name) continue;
    WorldMap map;
    map.title = headline_name == "real_gdp_change_pct" ? "Real GDP, % change"
                                                       : "International exports, % change";
    map.legend_label = "% change";
    for (size_t country_idx = 0; country_idx < outcome.codes.size(); ++country_idx) {
      map.values[outcome.codes[country_idx]] = outputs[output_idx].second(country_idx);
    }
    results.blocks.emplace_back(map);
    BarChart chart;
    chart.title = map.title + " (largest changes)";
    chart.kind = ValueKind::kPercent;
    chart.sorted = true;
    chart.axis_label = "% change";
    ChartSeries series;
    series.name = "point estimate";
    std::vector<int> order(outcome.codes.size());
    for (size_t country_idx = 0; country_idx < order.size(); ++country_idx) {
      order[country_idx] = static_cast<int>(country_idx);
    }
    const Eigen::VectorXd& values = outputs[output_idx].second;
    std::sort(order.begin(), order.end(), [&](int left, int right) {
      return std::abs(values(left)) > std::abs(values(right));
    });
    order.resize(std::min<size_t>(order.size(), 15));
    for (int country_idx : order) {
      chart.categories.push_back(outcome.codes[country_idx]);
      series.values.push_back(values(country_idx));
      if (HasIntervals(outcome)) {
        series.lower.push_back(outcome.uncertainty.countries[output_idx].lower(country_idx));
        series.upper.push_back(outcome.uncertainty.countries[output_idx].upper(country_idx));
      }
    }
    chart.series.push_back(std::move(series));
    if (HasIntervals(outcome)) {
      chart.note = fmt::format("Bars: {:g}% percentile intervals from {} bootstrap replications.",
                               100 * outcome.uncertainty.level, outcome.uncertainty.succeeded);
    }
    results.blocks.emplace_back(std::move(chart));
  }
  if (!outcome.ge.groups.empty()) results.blocks.emplace_back(GroupSharesChart(outcome));
  results.blocks.emplace_back(CountrySummaryTable(outcome));
  doc.sections.push_back(std::move(results));
  // The full tables, as in the CSV files (pairs: CSV only, N^2 rows).
  ReportSection details{"Details", {}};
  for (ReportTable& table : AllTables(outcome)) {
    if (table.name == "pairs" || table.name == "countries") continue;
    details.blocks.emplace_back(std::move(table));
  }
  if (!details.blocks.empty()) doc.sections.push_back(std::move(details));
  return doc;
}

std::vector<ReportTable> ScenarioTables(const ScenarioOutcome& outcome) {
  return AllTables(outcome);
}

std::string ScenarioResultsJson(const ScenarioOutcome& outcome) { return ToJson(outcome).dump(2); }

std::string SummarizeOutcome(const ScenarioOutcome& outcome) {
  std::string text;
  text += fmt::format("Scenario {}: {} countries, sigma {:g}, {} GE, {} iterations\n",
                      outcome.name.empty() ? outcome.file : outcome.name, outcome.codes.size(),
                      outcome.theta + 1, ModeText(outcome.model.mode), outcome.ge.iterations);
  for (const auto& [term, value] : outcome.coefficients) {
    text += fmt::format("  coefficient {} = {:.6f}\n", term, value);
  }
  if (outcome.goal) text += "  goal: " + outcome.goal->message + "\n";
  for (const GeGroupResult& group : outcome.ge.groups) {
    text += fmt::format("  group {}: intra-group share {:.2f}% -> {:.2f}%\n", group.name,
                        100 * group.intra_share_before, 100 * group.intra_share_after);
  }
  if (!outcome.focus_exporter.empty()) {
    text += fmt::format("  focus {}->{}: flow change {:+.2f}%\n", outcome.focus_exporter,
                        outcome.focus_importer, FocusChangePct(outcome, outcome.ge));
  }
  // The five largest real-GDP (or export) changes.
  const bool conditional = outcome.model.mode == GeMode::kConditional;
  const Eigen::VectorXd& values = conditional ? outcome.ge.countries.exports_change_pct
                                              : outcome.ge.countries.real_gdp_change_pct;
  std::vector<int> order(outcome.codes.size());
  for (size_t country_idx = 0; country_idx < order.size(); ++country_idx) {
    order[country_idx] = static_cast<int>(country_idx);
  }
  std::sort(order.begin(), order.end(),
            [&](int left, int right) { return std::abs(values(left)) > std::abs(values(right)); });
  text += conditional ? "  largest export changes:" : "  largest real GDP changes:";
  for (size_t rank = 0; rank < std::min<size_t>(5, order.size()); ++rank) {
    text += fmt::format(" {} {:+.3f}%", outcome.codes[order[rank]], values(order[rank]));
  }
  text += "\n";
  for (const std::string& note : outcome.notes) text += "  note: " + note + "\n";
  if (HasIntervals(outcome)) {
    text += fmt::format("  uncertainty: {} of {} replications ({:.1f} s, {} threads)\n",
                        outcome.uncertainty.succeeded, outcome.uncertainty.replications,
                        outcome.uncertainty.seconds, outcome.uncertainty.threads);
  }
  return text;
}

void WriteScenarioOutputs(const ScenarioOutcome& outcome, const std::string& folder) {
  std::vector<OutputFile> files;
  for (const ReportTable& table : AllTables(outcome)) {
    files.push_back({table.name + ".csv", RenderCsv(table)});
  }
  files.push_back({"results.json", JsonFileText(ToJson(outcome))});
  const ReportDocument report = BuildScenarioReport(outcome);
  try {
    for (OutputFile& file : RenderReportFiles(report)) {
      files.push_back({"report/" + file.path, std::move(file.content)});
    }
  } catch (const Error& report_error) {
    // Without the web assets there is no HTML; Markdown needs none.
    if (report_error.code() != ErrorCode::kFileUnreadable) throw;
    files.push_back({"report/report.md", RenderMarkdown(report)});
  }
  WriteOutputFolder(folder, files);
}

}  // namespace mizani
