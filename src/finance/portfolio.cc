// MTDS-style projection of the public debt portfolio under a borrowing
// strategy, with the cost and risk indicators of the IMF-World Bank MTDS
// Analytical Tool and the LIC-DSF debt dynamics, present value and
// thresholds (docs/finance.md says which parts are simplified).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <numeric>

#include "common/parallel.h"
#include "finance/internal.h"
#include "mizani/error.h"
#include "mizani/finance.h"
#include "mizani/read.h"

namespace mizani::finance {

namespace {

// Floating-rate debt re-fixes at its next reset; the MTDS tool counts the
// time to that reset. Six months is the usual reset of SOFR and EURIBOR loans.
constexpr double kFloatingResetYears = 0.5;

int LastYear(const Loan& loan) { return std::max(loan.last_year, 0); }
int FirstYear(const Loan& loan) { return std::clamp(loan.first_year, 0, LastYear(loan)); }

// Principal schedules by bucket (currency, floating, external): the existing
// portfolio aggregated once, so a projection costs O(buckets), not O(loans).
struct Bucket {
  std::string currency;
  bool floating = false;
  bool external = true;
  std::vector<double> principal;    // due at the end of year k (currency units)
  std::vector<double> interest;     // at the contracted rates, in year k
  std::vector<double> outstanding;  // at the start of year k
};

std::vector<Bucket> BuildBuckets(std::span<const Loan> loans, int length) {
  std::vector<Bucket> buckets;
  for (const Loan& loan : loans) {
    auto found = std::find_if(buckets.begin(), buckets.end(), [&](const Bucket& bucket) {
      return bucket.currency == loan.currency && bucket.floating == loan.floating &&
             bucket.external == loan.external;
    });
    if (found == buckets.end()) {
      Bucket bucket;
      bucket.currency = loan.currency;
      bucket.floating = loan.floating;
      bucket.external = loan.external;
      bucket.principal.assign(length + 1, 0.0);
      bucket.interest.assign(length + 1, 0.0);
      bucket.outstanding.assign(length + 1, 0.0);
      buckets.push_back(std::move(bucket));
      found = buckets.end() - 1;
    }
    for (int year_idx = 0; year_idx <= length; ++year_idx) {
      const double outstanding = OutstandingAt(loan, year_idx);
      found->principal[year_idx] += PrincipalDue(loan, year_idx);
      found->outstanding[year_idx] += outstanding;
      found->interest[year_idx] += loan.rate * outstanding;
    }
  }
  return buckets;
}

// The repayment pattern of a new issue: fraction of the amount due `offset`
// years after the year of issue (issued at the end of that year).
std::vector<double> RepaymentPattern(const FundingSource& source) {
  std::vector<double> pattern(source.maturity_years + 1, 0.0);
  int first = source.maturity_years - std::max(source.instalments, 1) + 1;
  if (source.instalments == 0) first = source.grace_years + 1;
  const int count = source.maturity_years - first + 1;
  for (int offset = first; offset <= source.maturity_years; ++offset) pattern[offset] = 1.0 / count;
  return pattern;
}

// Time to each flow from the end of year `year_idx` is (k - year_idx) years
// for a payment at the end of year k.
struct MaturitySums {
  double principal = 0;  // total principal outstanding (KES)
  double weighted = 0;   // sum of time x principal
  double refix_weighted = 0;
  double due_1y = 0;
  double refix_1y = 0;
};

void AddMaturity(MaturitySums& sums, std::span<const double> principal, int year_idx, double value,
                 bool floating) {
  for (size_t k = year_idx + 1; k < principal.size(); ++k) {
    const double amount = principal[k] * value;
    if (amount == 0) continue;
    const double time = static_cast<double>(k) - year_idx;
    sums.principal += amount;
    sums.weighted += time * amount;
    sums.refix_weighted += (floating ? kFloatingResetYears : time) * amount;
    if (time <= 1) sums.due_1y += amount;
    if (floating || time <= 1) sums.refix_1y += amount;
  }
}

RiskIndicators FromSums(const MaturitySums& sums) {
  RiskIndicators indicators;
  if (sums.principal <= 0) return indicators;
  indicators.atm = sums.weighted / sums.principal;
  indicators.atr = sums.refix_weighted / sums.principal;
  indicators.maturing_1y = 100 * sums.due_1y / sums.principal;
  indicators.refixing_1y = 100 * sums.refix_1y / sums.principal;
  return indicators;
}

int PortfolioLength(std::span<const Loan> loans, const std::vector<FundingSource>& sources,
                    int horizon) {
  int length = horizon + 1;
  for (const Loan& loan : loans) length = std::max(length, LastYear(loan) + 2);
  for (const FundingSource& source : sources) {
    length = std::max(length, horizon + source.maturity_years + 2);
  }
  return length;
}

// Everything a projection needs that does not depend on the path.
struct Prepared {
  int horizon = 0;
  int length = 0;
  std::vector<Bucket> buckets;
  std::vector<std::vector<double>> patterns;   // per source
  std::vector<std::vector<double>> remaining;  // per source: outstanding fraction at offset
  std::vector<std::string> currencies;         // every currency in buckets and sources
  std::vector<int> bucket_currency;            // index into currencies, per bucket
  std::vector<int> source_currency;            // index into currencies, per source
  int usd = -1;                                // index of USD when exports are valued
};

// KES per unit of each currency at the ends of years: table[currency_idx *
// (horizon + 1) + year], year 0 being the start. Projections read rates only
// at year ends, so one table per path replaces every path lookup.
template <typename FxFn>
std::vector<double> RateTable(const Prepared& prepared, const FxFn& fx) {
  const int points = prepared.horizon + 1;
  std::vector<double> table(prepared.currencies.size() * points);
  for (size_t currency_idx = 0; currency_idx < prepared.currencies.size(); ++currency_idx) {
    for (int year = 0; year < points; ++year) {
      table[currency_idx * points + year] = fx(prepared.currencies[currency_idx], year);
    }
  }
  return table;
}

// `need_usd`: the rate table also holds USD (exports are valued in USD).
Prepared Prepare(const Portfolio& portfolio, const std::vector<FundingSource>& sources, int horizon,
                 bool need_usd) {
  Prepared prepared;
  prepared.horizon = horizon;
  prepared.length = PortfolioLength(portfolio.loans, sources, horizon);
  prepared.buckets = BuildBuckets(portfolio.loans, prepared.length);
  for (const FundingSource& source : sources) {
    if (source.maturity_years < 1) {
      throw Error(
          ErrorCode::kBadScenario,
          fmt::format("funding source '{}': maturity_years must be at least 1", source.name));
    }
    prepared.patterns.push_back(RepaymentPattern(source));
    std::vector<double> remaining(source.maturity_years + 2, 0.0);
    double left = 1.0;
    for (int offset = 0; offset <= source.maturity_years; ++offset) {
      left -= prepared.patterns.back()[offset];
      remaining[offset] = std::max(left, 0.0);  // after the payment at `offset`
    }
    prepared.remaining.push_back(std::move(remaining));
  }
  for (const Bucket& bucket : prepared.buckets) prepared.currencies.push_back(bucket.currency);
  for (const FundingSource& source : sources) prepared.currencies.push_back(source.currency);
  if (need_usd) prepared.currencies.emplace_back("USD");
  std::sort(prepared.currencies.begin(), prepared.currencies.end());
  prepared.currencies.erase(std::unique(prepared.currencies.begin(), prepared.currencies.end()),
                            prepared.currencies.end());
  const auto index_of = [&](const std::string& code) {
    return static_cast<int>(
        std::lower_bound(prepared.currencies.begin(), prepared.currencies.end(), code) -
        prepared.currencies.begin());
  };
  for (const Bucket& bucket : prepared.buckets) {
    prepared.bucket_currency.push_back(index_of(bucket.currency));
  }
  for (const FundingSource& source : sources) {
    prepared.source_currency.push_back(index_of(source.currency));
  }
  prepared.usd = need_usd ? index_of("USD") : -1;
  return prepared;
}

// The macro path under a shock: nominal GDP, revenue and primary balance.
struct MacroYear {
  double gdp = 0, revenue = 0, primary_balance = 0, real_growth = 0, nominal_growth = 0;
  double exports_usd = std::numeric_limits<double>::quiet_NaN();  // USD bn
};

// Exports in USD bn under the shock: in the shocked years nominal growth is
// the lower of the historical mean and the baseline growth, minus
// `export_shock` standard deviations; other years keep their baseline growth.
void ShockExports(const MacroPath& macro, const Shock& shock, std::vector<MacroYear>& years) {
  if (macro.exports_usd.empty()) return;
  const int horizon = static_cast<int>(years.size());
  if (static_cast<int>(macro.exports_usd.size()) < horizon) {
    throw Error(ErrorCode::kBadScenario,
                fmt::format("the export series covers {} years, the horizon is {}",
                            macro.exports_usd.size(), horizon));
  }
  double previous_base = macro.base_exports_usd;
  double previous = macro.base_exports_usd;
  for (int year_idx = 0; year_idx < horizon; ++year_idx) {
    const double base = macro.exports_usd[year_idx];
    const bool hit =
        year_idx >= shock.shock_start && year_idx < shock.shock_start + shock.export_shock_years;
    if (!hit && year_idx == 0) {
      years[0].exports_usd = base;
    } else if (std::isnan(previous_base)) {
      throw Error(ErrorCode::kBadScenario,
                  "the exports shock hits the first projection year, which needs the exports "
                  "of the year before");
    } else {
      const double base_growth = base / previous_base - 1;
      const double growth = hit ? std::min(shock.export_growth_mean, base_growth) -
                                      shock.export_shock * shock.export_growth_sd
                                : base_growth;
      years[year_idx].exports_usd = previous * (1 + growth);
    }
    previous_base = base;
    previous = years[year_idx].exports_usd;
  }
}

std::vector<MacroYear> ShockedMacro(const MacroPath& macro, const Shock& shock, int horizon) {
  if (static_cast<int>(macro.years.size()) < horizon) {
    throw Error(ErrorCode::kBadScenario,
                fmt::format("the macro framework covers {} years, the horizon is {}",
                            macro.years.size(), horizon));
  }
  std::vector<MacroYear> years(horizon);
  double previous_weo = macro.base_gdp;
  double previous = macro.base_gdp;
  for (int year_idx = 0; year_idx < horizon; ++year_idx) {
    const double weo_gdp = macro.gdp[year_idx];
    const double deflator = weo_gdp / previous_weo / (1 + macro.real_growth[year_idx]);
    const bool hit =
        year_idx >= shock.shock_start && year_idx < shock.shock_start + shock.growth_shock_years;
    MacroYear& row = years[year_idx];
    row.real_growth = macro.real_growth[year_idx] - (hit ? shock.growth_shock : 0.0);
    row.gdp = previous * (1 + row.real_growth) * deflator;
    row.nominal_growth = row.gdp / previous - 1;
    row.revenue = macro.revenue[year_idx] / weo_gdp * row.gdp;
    row.primary_balance =
        (macro.primary_balance[year_idx] / weo_gdp - (hit ? shock.balance_shock : 0.0)) * row.gdp;
    previous_weo = weo_gdp;
    previous = row.gdp;
  }
  ShockExports(macro, shock, years);
  return years;
}

// KES per unit of a currency at time t (years), the depreciation shock
// applied from the end of its year on.
class FxView {
 public:
  FxView(const std::map<std::string, FxPath>& paths, const Shock& shock)
      : paths_(paths), shock_(shock) {}
  double operator()(const std::string& currency, int year) const {
    const double time = year;
    if (currency == "KES") return 1.0;
    const auto found = paths_.find(currency);
    if (found == paths_.end()) {
      throw Error(ErrorCode::kBadScenario,
                  fmt::format("no exchange-rate path for currency '{}'", currency));
    }
    const double factor = time > shock_.depreciation_year + 0.5 ? 1 + shock_.depreciation : 1.0;
    return found->second.At(time) * factor;
  }

 private:
  const std::map<std::string, FxPath>& paths_;
  const Shock& shock_;
};

// Work arrays of a projection, reused from path to path.
struct Scratch {
  std::vector<double> issued;      // [year * sources + source]: amount in its currency
  std::vector<double> issue_rate;  // [year * sources + source]: rate fixed at issue
};

// Empties the projection's rows for a new run, keeping their issuance
// arrays' memory.
void ResetRows(const Strategy& strategy, const Shock& shock, int horizon, bool full,
               Projection& projection) {
  if (full) {
    projection.strategy = strategy.name;
    projection.shock = shock.name;
  }
  projection.rows.resize(horizon);
  for (YearRow& row : projection.rows) {
    std::vector<double> issuance = std::move(row.issuance);
    row = YearRow{};
    row.issuance = std::move(issuance);
  }
}

// The year's ratios, risk indicators (full only) and debt dynamics, once its
// flows and end-of-year stock are summed.
void FinishYear(const MacroYear& macro_year, double debt_previous, double gdp_previous,
                double debt_start, double valuation, const MaturitySums& sums, double pv_external,
                bool full, YearRow& row) {
  row.debt_gdp = 100 * row.debt / row.gdp;
  row.interest_gdp = 100 * row.interest / row.gdp;
  row.interest_revenue = 100 * row.interest / row.revenue;
  row.weighted_rate = debt_start > 0 ? 100 * row.interest / debt_start : 0;
  row.fx_share = row.debt > 0 ? 100 * row.fx_debt / row.debt : 0;
  row.external_service_revenue = 100 * row.external_debt_service / row.revenue;
  if (full) {
    const RiskIndicators risk = FromSums(sums);
    row.atm = risk.atm;
    row.atr = risk.atr;
    row.maturing_1y = risk.maturing_1y;
    row.refixing_1y = risk.refixing_1y;
    row.pv_external_debt = pv_external;
    row.pv_external_gdp = 100 * pv_external / row.gdp;
    // LIC-DSF: PV of total public debt = PV of external + domestic at face.
    row.pv_public_gdp = 100 * (pv_external + row.debt - row.external_debt) / row.gdp;
    // LIC-DSF export-based ratios; numerator and exports at the same
    // year-end rates, so for dollar debt they are the ratios in USD.
    row.pv_external_exports = 100 * pv_external / row.exports;
    row.external_service_exports = 100 * row.external_debt_service / row.exports;
  }
  // Debt dynamics (percentage points of GDP): interest, real growth,
  // inflation (GDP deflator), exchange rate, primary deficit, residual.
  const double ratio_previous = debt_previous / gdp_previous;
  const double growth = macro_year.nominal_growth;
  row.d_change = 100 * (row.debt / row.gdp - ratio_previous);
  row.d_interest = 100 * row.interest / row.gdp;
  row.d_growth = -100 * ratio_previous * macro_year.real_growth / (1 + growth);
  row.d_inflation = -100 * ratio_previous * (growth - macro_year.real_growth) / (1 + growth);
  row.d_exchange = 100 * valuation / row.gdp;
  row.d_primary = 100 * row.primary_deficit / row.gdp;
  row.d_residual = row.d_change - (row.d_interest + row.d_growth + row.d_inflation +
                                   row.d_exchange + row.d_primary);
}

// One projection into `projection` (its rows reused); `full` adds the
// maturity, PV and dynamics indicators (the Monte Carlo needs only the ratios).
void Run(const Prepared& prepared, const std::vector<FundingSource>& sources,
         const Strategy& strategy, const MacroPath& macro, const std::vector<MacroYear>& years,
         const std::vector<double>& table, const Shock& shock, const ProjectionOptions& options,
         bool full, Projection& projection, Scratch& scratch) {
  const int horizon = prepared.horizon;
  const auto rate = [&](int currency_idx, int year) {
    return table[static_cast<size_t>(currency_idx) * (horizon + 1) + year];
  };
  const size_t num_sources = sources.size();
  scratch.issued.assign(horizon * num_sources, 0.0);
  scratch.issue_rate.assign(horizon * num_sources, 0.0);
  const auto issued = [&](int year, size_t source_idx) -> double& {
    return scratch.issued[year * num_sources + source_idx];
  };
  const auto issue_rate = [&](int year, size_t source_idx) -> double& {
    return scratch.issue_rate[year * num_sources + source_idx];
  };
  ResetRows(strategy, shock, horizon, full, projection);
  double debt_previous = 0;
  for (size_t bucket_idx = 0; bucket_idx < prepared.buckets.size(); ++bucket_idx) {
    debt_previous +=
        prepared.buckets[bucket_idx].outstanding[0] * rate(prepared.bucket_currency[bucket_idx], 0);
  }
  double gdp_previous = macro.base_gdp;

  for (int year_idx = 0; year_idx < horizon; ++year_idx) {
    YearRow& row = projection.rows[year_idx];
    const MacroYear& macro_year = years[year_idx];
    row.year = macro.years[year_idx];
    row.gdp = macro_year.gdp;
    row.revenue = macro_year.revenue;
    if (prepared.usd >= 0) row.exports = macro_year.exports_usd * rate(prepared.usd, year_idx + 1);
    row.primary_deficit = -macro_year.primary_balance;
    const int start = year_idx;
    const int end = year_idx + 1;
    const bool rate_shocked = year_idx >= shock.shock_start;
    double valuation = 0;
    double debt_start = 0;
    double external_service = 0;
    for (size_t bucket_idx = 0; bucket_idx < prepared.buckets.size(); ++bucket_idx) {
      const Bucket& bucket = prepared.buckets[bucket_idx];
      const double fx_start = rate(prepared.bucket_currency[bucket_idx], start);
      const double fx_end = rate(prepared.bucket_currency[bucket_idx], end);
      double interest = bucket.interest[year_idx];
      if (bucket.floating && rate_shocked)
        interest += shock.rate_shock * bucket.outstanding[year_idx];
      row.interest += interest * fx_end;
      row.amortisation += bucket.principal[year_idx] * fx_end;
      if (bucket.external) {
        external_service += (interest + bucket.principal[year_idx]) * fx_end;
      }
      valuation += bucket.outstanding[year_idx] * (fx_end - fx_start);
      debt_start += bucket.outstanding[year_idx] * fx_start;
    }
    for (int issue_idx = 0; issue_idx < year_idx; ++issue_idx) {
      const int offset = year_idx - issue_idx;
      for (size_t source_idx = 0; source_idx < num_sources; ++source_idx) {
        const double amount = issued(issue_idx, source_idx);
        if (amount == 0) continue;
        const FundingSource& source = sources[source_idx];
        const auto& remaining = prepared.remaining[source_idx];
        const double outstanding =
            offset - 1 < static_cast<int>(remaining.size()) ? amount * remaining[offset - 1] : 0.0;
        const double principal = offset < static_cast<int>(prepared.patterns[source_idx].size())
                                     ? amount * prepared.patterns[source_idx][offset]
                                     : 0.0;
        double coupon = issue_rate(issue_idx, source_idx);
        if (source.floating && rate_shocked) coupon = source.rate + shock.rate_shock;
        const double fx_start = rate(prepared.source_currency[source_idx], start);
        const double fx_end = rate(prepared.source_currency[source_idx], end);
        row.interest += coupon * outstanding * fx_end;
        row.amortisation += principal * fx_end;
        if (source.external) external_service += (coupon * outstanding + principal) * fx_end;
        valuation += outstanding * (fx_end - fx_start);
        debt_start += outstanding * fx_start;
      }
    }
    row.gross_financing_need = row.primary_deficit + row.interest + row.amortisation;
    row.issuance.assign(num_sources, 0.0);
    for (size_t source_idx = 0; source_idx < num_sources; ++source_idx) {
      const FundingSource& source = sources[source_idx];
      row.issuance[source_idx] = row.gross_financing_need * strategy.shares[source_idx];
      issued(year_idx, source_idx) =
          row.issuance[source_idx] / rate(prepared.source_currency[source_idx], end);
      issue_rate(year_idx, source_idx) = source.rate + (rate_shocked ? shock.rate_shock : 0.0);
    }
    row.external_debt_service = external_service;

    // The stock at the end of the year, by currency.
    const int next = year_idx + 1;
    MaturitySums sums;
    double pv_external = 0;
    const double discount = 1 + options.discount_rate;
    for (size_t bucket_idx = 0; bucket_idx < prepared.buckets.size(); ++bucket_idx) {
      const Bucket& bucket = prepared.buckets[bucket_idx];
      const double fx_end = rate(prepared.bucket_currency[bucket_idx], end);
      const double value = bucket.outstanding[next] * fx_end;
      row.debt += value;
      if (full) row.debt_by_currency[bucket.currency] += value;
      if (bucket.external) row.external_debt += value;
      if (bucket.currency != "KES") row.fx_debt += value;
      if (!full) continue;
      AddMaturity(sums, bucket.principal, year_idx, fx_end, bucket.floating);
      if (bucket.external) {
        for (int k = next; k <= prepared.length; ++k) {
          double interest = bucket.interest[k];
          if (bucket.floating) interest += shock.rate_shock * bucket.outstanding[k];
          pv_external +=
              (interest + bucket.principal[k]) * fx_end / std::pow(discount, k - year_idx);
        }
      }
    }
    for (int issue_idx = 0; issue_idx <= year_idx; ++issue_idx) {
      const int offset = next - issue_idx;  // offset at the start of next year
      for (size_t source_idx = 0; source_idx < num_sources; ++source_idx) {
        const double amount = issued(issue_idx, source_idx);
        if (amount == 0) continue;
        const FundingSource& source = sources[source_idx];
        const auto& remaining = prepared.remaining[source_idx];
        const auto& pattern = prepared.patterns[source_idx];
        const double outstanding =
            offset - 1 < static_cast<int>(remaining.size()) ? amount * remaining[offset - 1] : 0.0;
        const double fx_end = rate(prepared.source_currency[source_idx], end);
        const double value = outstanding * fx_end;
        row.debt += value;
        if (full) row.debt_by_currency[source.currency] += value;
        if (source.external) row.external_debt += value;
        if (source.currency != "KES") row.fx_debt += value;
        if (!full || outstanding == 0) continue;
        // The cohort's own schedule, shifted to its year of issue.
        std::vector<double> principal(prepared.length + 1, 0.0);
        for (size_t pattern_offset = 1; pattern_offset < pattern.size(); ++pattern_offset) {
          const size_t k = issue_idx + pattern_offset;
          if (k < principal.size()) principal[k] = amount * pattern[pattern_offset];
        }
        AddMaturity(sums, principal, year_idx, fx_end, source.floating);
        if (source.external) {
          const double coupon = issue_rate(issue_idx, source_idx);
          for (size_t pattern_offset = offset; pattern_offset < pattern.size(); ++pattern_offset) {
            const double left = amount * remaining[pattern_offset - 1];
            const int k = issue_idx + static_cast<int>(pattern_offset);
            pv_external += (coupon * left + amount * pattern[pattern_offset]) * fx_end /
                           std::pow(discount, k - year_idx);
          }
        }
      }
    }

    FinishYear(macro_year, debt_previous, gdp_previous, debt_start, valuation, sums, pv_external,
               full, row);
    debt_previous = row.debt;
    gdp_previous = row.gdp;
  }
}

}  // namespace

double PrincipalDue(const Loan& loan, int year_idx) {
  const int first = FirstYear(loan);
  const int last = LastYear(loan);
  if (year_idx < first || year_idx > last) return 0.0;
  return loan.outstanding / (last - first + 1);
}

double OutstandingAt(const Loan& loan, int year_idx) {
  const int first = FirstYear(loan);
  const int last = LastYear(loan);
  if (year_idx <= first) return loan.outstanding;
  if (year_idx > last) return 0.0;
  return loan.outstanding * (last - year_idx + 1) / (last - first + 1);
}

RiskIndicators MaturityIndicators(std::span<const Loan> loans, std::span<const double> kes_per_unit,
                                  int year_idx) {
  // Measured at the start of year `year_idx` = the end of year_idx - 1.
  MaturitySums sums;
  int length = year_idx + 1;
  for (const Loan& loan : loans) length = std::max(length, LastYear(loan) + 2);
  for (size_t loan_idx = 0; loan_idx < loans.size(); ++loan_idx) {
    std::vector<double> principal(length + 1, 0.0);
    for (int k = 0; k <= length; ++k) principal[k] = PrincipalDue(loans[loan_idx], k);
    AddMaturity(sums, principal, year_idx - 1, kes_per_unit[loan_idx], loans[loan_idx].floating);
  }
  return FromSums(sums);
}

void ValidateStrategy(const Strategy& strategy, size_t num_sources) {
  if (strategy.shares.size() != num_sources) {
    throw Error(ErrorCode::kBadScenario,
                fmt::format("strategy '{}': {} shares for {} funding sources", strategy.name,
                            strategy.shares.size(), num_sources));
  }
  double sum = 0;
  for (double share : strategy.shares) {
    if (share < 0 || std::isnan(share)) {
      throw Error(ErrorCode::kBadScenario,
                  fmt::format("strategy '{}': share {} is negative", strategy.name, share));
    }
    sum += share;
  }
  if (std::abs(sum - 1) > 1e-6) {
    throw Error(ErrorCode::kBadScenario,
                fmt::format("strategy '{}': shares sum to {:.6g}, not 1", strategy.name, sum));
  }
}

Thresholds LicDsfThresholds(CarryingCapacity capacity) {
  // IMF-World Bank, "Guidance Note on the Bank-Fund Debt Sustainability
  // Framework for Low Income Countries" (February 2018), thresholds for PPG
  // external debt and the benchmark for total public debt (PV, percent).
  switch (capacity) {
    case CarryingCapacity::kWeak:
      return {30, 140, 10, 14, 35};
    case CarryingCapacity::kMedium:
      return {40, 180, 15, 18, 55};
    case CarryingCapacity::kStrong:
      return {55, 240, 21, 23, 70};
  }
  return {};
}

Projection Project(const Portfolio& portfolio, const std::vector<FundingSource>& sources,
                   const Strategy& strategy, const MacroPath& macro,
                   const std::map<std::string, FxPath>& kes_per, const Shock& shock,
                   const ProjectionOptions& options) {
  ValidateStrategy(strategy, sources.size());
  const Prepared prepared =
      Prepare(portfolio, sources, options.horizon_years, !macro.exports_usd.empty());
  const FxView fx(kes_per, shock);
  Projection projection;
  Scratch scratch;
  Run(prepared, sources, strategy, macro, ShockedMacro(macro, shock, options.horizon_years),
      RateTable(prepared, fx), shock, options, true, projection, scratch);
  return projection;
}

StochasticSummary ProjectStochastic(const Portfolio& portfolio,
                                    const std::vector<FundingSource>& sources,
                                    const Strategy& strategy, const MacroPath& macro,
                                    const FxSimulation& simulation,
                                    const ProjectionOptions& options, int threads) {
  ValidateStrategy(strategy, sources.size());
  const Prepared prepared = Prepare(portfolio, sources, options.horizon_years, false);
  if (simulation.months < options.horizon_years * 12) {
    throw Error(ErrorCode::kBadScenario,
                fmt::format("the exchange-rate simulation covers {} years, the projection {}",
                            simulation.months / 12, options.horizon_years));
  }
  const int horizon = options.horizon_years;
  std::vector<double> debt_gdp(static_cast<size_t>(simulation.paths) * horizon);
  std::vector<double> interest_gdp(simulation.paths);
  const Shock baseline;
  // Each currency's place in the simulation (-1: USD, -2: KES), so a path's
  // rate table is read straight from the simulated log changes.
  const int kes_idx = static_cast<int>(
      std::find(simulation.currencies.begin(), simulation.currencies.end(), "KES") -
      simulation.currencies.begin());
  if (kes_idx == static_cast<int>(simulation.currencies.size())) {
    throw Error(ErrorCode::kBadScenario, "the stochastic model needs the KES history");
  }
  std::vector<int> simulated(prepared.currencies.size());
  std::vector<double> spot_ratio(prepared.currencies.size(), 1.0);
  for (size_t currency_idx = 0; currency_idx < prepared.currencies.size(); ++currency_idx) {
    const std::string& code = prepared.currencies[currency_idx];
    if (code == "KES") {
      simulated[currency_idx] = -2;
      continue;
    }
    if (code == "USD") {
      simulated[currency_idx] = -1;
      spot_ratio[currency_idx] = simulation.spot.at("KES");
      continue;
    }
    const auto found = std::find(simulation.currencies.begin(), simulation.currencies.end(), code);
    if (found == simulation.currencies.end()) {
      throw Error(
          ErrorCode::kBadScenario,
          fmt::format("no exchange-rate history for currency '{}' in the stochastic model", code));
    }
    simulated[currency_idx] = static_cast<int>(found - simulation.currencies.begin());
    spot_ratio[currency_idx] = simulation.spot.at("KES") / simulation.spot.at(code);
  }
  const size_t stride = static_cast<size_t>(simulation.months) + 1;
  const size_t num_simulated = simulation.currencies.size();
  const std::vector<MacroYear> years = ShockedMacro(macro, baseline, horizon);
  ParallelFor(
      ResolveThreads(threads), simulation.paths,
      [&](int, int64_t begin, int64_t end) {
        Projection projection;
        Scratch scratch;
        std::vector<double> table(prepared.currencies.size() * (horizon + 1));
        for (int64_t path_idx = begin; path_idx < end; ++path_idx) {
          const double* kes =
              simulation.log_change.data() + (path_idx * num_simulated + kes_idx) * stride;
          for (size_t currency_idx = 0; currency_idx < prepared.currencies.size(); ++currency_idx) {
            const int source = simulated[currency_idx];
            const double* other = source >= 0 ? simulation.log_change.data() +
                                                    (path_idx * num_simulated + source) * stride
                                              : nullptr;
            for (int year = 0; year <= horizon; ++year) {
              double value = 1.0;
              if (source != -2) {
                const double log_change =
                    kes[12 * year] - (other != nullptr ? other[12 * year] : 0);
                value = spot_ratio[currency_idx] * std::exp(log_change);
              }
              table[currency_idx * (horizon + 1) + year] = value;
            }
          }
          Run(prepared, sources, strategy, macro, years, table, baseline, options, false,
              projection, scratch);
          for (int year_idx = 0; year_idx < horizon; ++year_idx) {
            debt_gdp[path_idx * horizon + year_idx] = projection.rows[year_idx].debt_gdp;
          }
          interest_gdp[path_idx] = projection.rows.back().interest_gdp;
        }
      },
      16);
  StochasticSummary summary;
  summary.strategy = strategy.name;
  std::vector<double> column(simulation.paths);
  for (int year_idx = 0; year_idx < horizon; ++year_idx) {
    for (int path_idx = 0; path_idx < simulation.paths; ++path_idx) {
      column[path_idx] = debt_gdp[static_cast<size_t>(path_idx) * horizon + year_idx];
    }
    summary.fan_p05.push_back(Quantile(column, 0.05));
    summary.fan_p50.push_back(Quantile(column, 0.50));
    summary.fan_p95.push_back(Quantile(column, 0.95));
  }
  summary.debt_gdp_mean =
      std::accumulate(column.begin(), column.end(), 0.0) / static_cast<double>(column.size());
  summary.debt_gdp_p05 = summary.fan_p05.back();
  summary.debt_gdp_p50 = summary.fan_p50.back();
  summary.debt_gdp_p95 = summary.fan_p95.back();
  summary.interest_gdp_mean = std::accumulate(interest_gdp.begin(), interest_gdp.end(), 0.0) /
                              static_cast<double>(interest_gdp.size());
  summary.interest_gdp_p95 = Quantile(interest_gdp, 0.95);
  return summary;
}

}  // namespace mizani::finance
