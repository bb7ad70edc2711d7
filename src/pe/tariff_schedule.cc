// Tariff schedules given at a level other than the input tables' HS6 lines:
// HS2 and HS4 rates inherited by their HS6 lines, national tariff lines
// averaged to HS6 (simple or trade-weighted), and a user-supplied HS version
// concordance (docs/pe.md, "Tariff schedules at another level").
#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <optional>

#include "mizani/error.h"
#include "pe/inputs.h"

namespace mizani::pe {

const char* ToString(LineAveraging averaging) {
  switch (averaging) {
    case LineAveraging::kSimple:
      return "simple average";
    case LineAveraging::kTradeWeighted:
      return "trade-weighted average";
  }
  return "?";
}

namespace {

// A rate found for one HS6 code: its value, the imports it stands for (NaN
// when unknown), how it was found and from where.
struct Found {
  double rate = 0;
  double weight = std::nan("");
  std::string level;   // "HS6", "national lines (simple average of 3)", ...
  std::string detail;  // codes, rates, weights and sources
};

struct Item {
  double rate;
  double weight;
  std::string label;   // e.g. "090230010 12%"
  std::string origin;  // where a missing weight is reported
};

// The simple or trade-weighted average of `items` (two or more). Throws
// kBadData when a trade-weighted average lacks a weight or has no weight.
Found Average(const std::vector<Item>& items, LineAveraging averaging, const std::string& what) {
  Found out;
  double sum = 0;
  double weights = 0;
  bool all_weighted = true;
  std::string parts;
  for (const Item& item : items) {
    if (std::isnan(item.weight)) {
      all_weighted = false;
      if (averaging == LineAveraging::kTradeWeighted) {
        throw Error(ErrorCode::kBadData,
                    fmt::format("{}: no trade_value for {} ({}): a trade-weighted average needs "
                                "the imports of every line it averages",
                                item.origin, item.label, what));
      }
    } else {
      weights += item.weight;
    }
    sum += averaging == LineAveraging::kSimple ? item.rate : item.rate * item.weight;
    parts += fmt::format("{}{}", parts.empty() ? "" : ", ", item.label);
    if (!std::isnan(item.weight)) parts += fmt::format(" (trade {:g})", item.weight);
  }
  if (averaging == LineAveraging::kSimple) {
    out.rate = sum / static_cast<double>(items.size());
  } else {
    if (!(weights > 0)) {
      throw Error(ErrorCode::kBadData,
                  fmt::format("{}: the trade values of {} sum to zero: no trade-weighted "
                              "average exists (use national_lines = \"simple\")",
                              items.front().origin, what));
    }
    out.rate = sum / weights;
  }
  out.weight = all_weighted ? weights : std::nan("");
  out.level = fmt::format("{} of {}", ToString(averaging), items.size());
  out.detail = fmt::format("{} {:.4g}% of {}", ToString(averaging), out.rate * 100, parts);
  return out;
}

std::string Percent(double rate) { return fmt::format("{:g}%", rate * 100); }

class Resolver {
 public:
  Resolver(const std::vector<TariffRate>& rates, const TariffScheduleOptions& options)
      : options_(options) {
    for (const TariffRate& rate : rates) {
      const std::string key = rate.reporter + "|" + rate.partner + "|";
      if (rate.product.size() >= 6) {
        by_hs6_[key + rate.product.substr(0, 6)].push_back(&rate);
      } else {
        by_prefix_[key + rate.product] = &rate;
      }
    }
  }

  // Fills `row` from the schedule when it can (its tariff is still to fill).
  void Fill(InputRow& row) const {
    const std::vector<std::string> codes = ScheduleCodes(row);
    for (const std::string& partner : {row.partner, std::string("*")}) {
      if (FillAtHs6(row, codes, partner)) return;
      for (const size_t length : {size_t{4}, size_t{2}}) {
        const auto found =
            by_prefix_.find(row.reporter + "|" + partner + "|" + row.product.substr(0, length));
        if (found == by_prefix_.end()) continue;
        const TariffRate& rate = *found->second;
        Set(row, rate.rate, fmt::format("HS{}", length),
            fmt::format("{} (HS{} rate {} applied to HS6 {})", rate.source, length, rate.product,
                        row.product));
        return;
      }
    }
  }

 private:
  // The schedule's HS6 codes for a table line: the line itself, or the codes
  // the concordance maps to it.
  std::vector<std::string> ScheduleCodes(const InputRow& row) const {
    if (options_.concordance == nullptr) return {row.product};
    const HsConcordance& concordance = *options_.concordance;
    const auto found = concordance.sources.find(row.product);
    if (found == concordance.sources.end()) {
      throw Error(
          ErrorCode::kBadData,
          fmt::format("{}: {} line {} is not in the concordance {} (column to): its "
                      "tariff cannot be read from the {} schedule; add the line's "
                      "mapping",
                      row.origin, concordance.to, row.product, concordance.path, concordance.from));
    }
    return found->second;
  }

  // The rate of one schedule HS6 code for a partner: its HS6 rate, or the
  // average of the national lines under it.
  std::optional<Found> AtCode(const std::string& reporter, const std::string& partner,
                              const std::string& code) const {
    const auto found = by_hs6_.find(reporter + "|" + partner + "|" + code);
    if (found == by_hs6_.end()) return std::nullopt;
    const std::vector<const TariffRate*>& entries = found->second;
    for (const TariffRate* rate : entries) {
      if (rate->product.size() == 6 && entries.size() > 1) {
        throw Error(ErrorCode::kBadData,
                    fmt::format("{}: an HS6 rate for {} {} {} is given beside {} national "
                                "lines under it; give one or the other",
                                rate->origin, reporter, partner, code, entries.size() - 1));
      }
    }
    if (entries.size() == 1 && entries.front()->product.size() == 6) {
      const TariffRate& rate = *entries.front();
      return Found{rate.rate, rate.weight, "HS6", rate.source};
    }
    std::vector<Item> items;
    std::string sources;
    for (const TariffRate* rate : entries) {
      items.push_back({rate->rate, rate->weight,
                       fmt::format("{} {}", rate->product, Percent(rate->rate)), rate->origin});
      if (!rate->source.empty() && sources.find(rate->source) == std::string::npos) {
        sources += (sources.empty() ? "" : "; ") + rate->source;
      }
    }
    const std::string what = fmt::format("the national lines of {} under HS6 {} for partner {}",
                                         reporter, code, partner);
    Found out = Average(items, options_.averaging, what);
    out.level = fmt::format("national lines ({})", out.level);
    out.detail = fmt::format("{} under HS6 {}{}", out.detail, code,
                             sources.empty() ? "" : fmt::format(" [{}]", sources));
    return out;
  }

  // The HS6 level for `partner`: false when the schedule has no HS6 or
  // national rate for the line's codes and this partner.
  bool FillAtHs6(InputRow& row, const std::vector<std::string>& codes,
                 const std::string& partner) const {
    if (options_.concordance == nullptr) {
      const std::optional<Found> found = AtCode(row.reporter, partner, row.product);
      if (!found) return false;
      Set(row, found->rate, found->level, found->detail);
      return true;
    }
    // Through the concordance: every code mapped to the line needs a rate;
    // a code without one for the exact partner takes the rate for "*".
    std::vector<std::optional<Found>> per_code;
    bool any = false;
    for (const std::string& code : codes) {
      std::optional<Found> found = AtCode(row.reporter, partner, code);
      any = any || found.has_value();
      if (!found && partner != "*") found = AtCode(row.reporter, "*", code);
      per_code.push_back(std::move(found));
    }
    if (!any) return false;
    const HsConcordance& concordance = *options_.concordance;
    std::vector<Item> items;
    std::string missing;
    for (size_t idx = 0; idx < codes.size(); ++idx) {
      if (!per_code[idx]) {
        missing += (missing.empty() ? "" : ", ") + codes[idx];
        continue;
      }
      items.push_back(
          {per_code[idx]->rate, per_code[idx]->weight,
           fmt::format("{} {} {} ({}: {})", concordance.from, codes[idx],
                       Percent(per_code[idx]->rate), per_code[idx]->level, per_code[idx]->detail),
           row.origin});
    }
    const std::string step =
        fmt::format("{} -> {} (concordance {})", concordance.from, concordance.to,
                    std::filesystem::path(concordance.path).filename().string());
    if (!missing.empty()) {
      // Averaging over the codes that have a rate would bias the line: it
      // stays to fill, and the note says why.
      row.tariff_level = step;
      row.tariff_source =
          fmt::format("not filled: {} {} maps from {} codes {}; no rate for {}", concordance.to,
                      row.product, concordance.from, fmt::join(codes, ", "), missing);
      return true;
    }
    if (items.size() == 1) {
      Set(row, items.front().rate, fmt::format("{}: {}", step, per_code.front()->level),
          fmt::format("{} mapped to {} {}", items.front().label, concordance.to, row.product));
      return true;
    }
    const Found merged = Average(
        items, options_.averaging,
        fmt::format("the {} codes mapped to {} {}", concordance.from, concordance.to, row.product));
    Set(row, merged.rate, fmt::format("{}: {}", step, merged.level),
        fmt::format("{} mapped to {} {}", merged.detail, concordance.to, row.product));
    return true;
  }

  static void Set(InputRow& row, double rate, std::string level, std::string source) {
    row.tariff = rate;
    row.tariff_status = CellStatus::kSourced;
    row.tariff_level = std::move(level);
    row.tariff_source = std::move(source);
  }

  const TariffScheduleOptions& options_;
  std::map<std::string, std::vector<const TariffRate*>> by_hs6_;  // reporter|partner|HS6
  std::map<std::string, const TariffRate*> by_prefix_;            // reporter|partner|HS2/HS4
};

}  // namespace

void ApplyTariffSchedule(std::vector<InputRow>& rows, const std::vector<TariffRate>& rates,
                         const TariffScheduleOptions& options) {
  if (options.concordance != nullptr) {
    // Every schedule code at HS6 or finer must be one the concordance maps.
    for (const TariffRate& rate : rates) {
      if (rate.product.size() < 6) continue;
      const std::string code = rate.product.substr(0, 6);
      if (options.concordance->from_codes.count(code) == 0) {
        throw Error(ErrorCode::kBadData,
                    fmt::format("{}: {} code {} is not in the concordance {} (column from); "
                                "add its mapping to {}",
                                rate.origin, options.concordance->from, code,
                                options.concordance->path, options.concordance->to));
      }
    }
  }
  const Resolver resolver(rates, options);
  for (InputRow& row : rows) {
    if (row.tariff_status == CellStatus::kToFill) resolver.Fill(row);
  }
}

}  // namespace mizani::pe
