// Exchange-rate paths: deterministic (constant, parity, trend), the monthly
// history from ../shared/data/fx_history, and the Monte Carlo model (block
// bootstrap of joint monthly log-returns, or correlated normal returns),
// each path on its own counter-based random stream.
#include <fmt/format.h>

#include <Eigen/Cholesky>
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <numeric>
#include <span>

#include "common/parallel.h"
#include "common/splitmix.h"
#include "finance/internal.h"
#include "mizani/error.h"
#include "mizani/finance.h"
#include "mizani/read.h"

namespace mizani::finance {

namespace {

// Each path's stream: SplitMix64 (common/splitmix.h) of (seed, path, draw).
class PathStream {
 public:
  PathStream(uint64_t seed, uint64_t path_idx)
      : key_(SplitMix64(seed ^ SplitMix64(path_idx + 1))) {}
  // Uniform on (0, 1).
  double Uniform() {
    const uint64_t bits = SplitMix64(key_ + counter_++);
    return (static_cast<double>(bits >> 11) + 0.5) * (1.0 / 9007199254740992.0);
  }
  double Normal() {  // Box-Muller, one of the pair
    const double radius = std::sqrt(-2.0 * std::log(Uniform()));
    return radius * std::cos(2.0 * M_PI * Uniform());
  }

 private:
  uint64_t key_;
  uint64_t counter_ = 0;
};

struct DailySeries {
  std::string file;
  std::string value_column;
  bool invert = false;  // the file quotes USD per unit
};

DailySeries SeriesFor(const std::string& currency) {
  if (currency == "KES") return {"fx_history/usd_kes_daily_cbk.csv", "kes_per_usd_mean", false};
  if (currency == "JPY") {
    return {"fx_history/usd_jpy_daily_fred_dexjpus.csv.gz", "jpy_per_usd", false};
  }
  if (currency == "EUR") return {"fx_history/eur_usd_daily_fred_dexuseu.csv", "usd_per_eur", true};
  throw Error(ErrorCode::kBadScenario,
              fmt::format("no exchange-rate history for currency '{}' (fx_history has KES, JPY and "
                          "EUR against USD)",
                          currency));
}

// Month-end (last observation of the month) rates, "YYYY-MM" -> units per USD.
std::map<std::string, double> MonthEnds(const std::string& data_dir, const DailySeries& series) {
  const std::string path = (std::filesystem::path(data_dir) / series.file).string();
  if (!std::filesystem::exists(path)) {
    throw Error(ErrorCode::kFileUnreadable,
                fmt::format("exchange-rate history {} not found (needed for the stochastic model; "
                            "see ../shared/data/fx_history/SOURCE.md)",
                            path));
  }
  ReadOptions options;
  options.columns = {"date", series.value_column};
  options.string_columns = {"date"};
  const Table table = ReadTable(path, options);
  const Column& dates = table.Get("date");
  const std::span<const double> values = RequireNumeric(table, series.value_column);
  std::map<std::string, double> month_end;
  std::string last_date;
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    const std::string date = dates.CellText(row_idx);
    const double value = values[row_idx];
    if (date.size() != 10 || std::isnan(value)) continue;
    if (!(value > 0)) {
      throw Error(ErrorCode::kBadData,
                  Where(path, static_cast<int64_t>(row_idx) + 1, series.value_column) +
                      fmt::format(": exchange rate must be positive, got {}", value));
    }
    if (date < last_date) {
      throw Error(ErrorCode::kBadData, Where(path, static_cast<int64_t>(row_idx) + 1, "date") +
                                           ": dates are not in order");
    }
    last_date = date;
    month_end[date.substr(0, 7)] = series.invert ? 1.0 / value : value;
  }
  return month_end;
}

std::string NextMonth(const std::string& month) {
  int year = std::stoi(month.substr(0, 4));
  int number = std::stoi(month.substr(5, 2)) + 1;
  if (number > 12) {
    number = 1;
    ++year;
  }
  return fmt::format("{:04d}-{:02d}", year, number);
}

}  // namespace

double Quantile(std::vector<double> values, double probability) {
  // Type 7 (linear interpolation between order statistics), numpy's default;
  // two selections instead of a sort.
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  const double position = probability * static_cast<double>(values.size() - 1);
  const auto lower = static_cast<size_t>(std::floor(position));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(lower),
                   values.end());
  const double below = values[lower];
  if (lower + 1 >= values.size()) return below;
  const double above =
      *std::min_element(values.begin() + static_cast<std::ptrdiff_t>(lower) + 1, values.end());
  return below + (position - static_cast<double>(lower)) * (above - below);
}

double Irr(std::span<const double> times, std::span<const double> amounts) {
  // NPV is decreasing in r for a loan (proceeds first, payments after):
  // bracket, then Newton steps kept inside the bracket (bisection otherwise).
  const auto npv = [&](double rate, double* slope) {
    double value = 0;
    double derivative = 0;
    const double log_base = std::log1p(rate);
    for (size_t flow_idx = 0; flow_idx < times.size(); ++flow_idx) {
      const double discount = std::exp(-times[flow_idx] * log_base);
      value += amounts[flow_idx] * discount;
      derivative -= times[flow_idx] * amounts[flow_idx] * discount / (1 + rate);
    }
    if (slope != nullptr) *slope = derivative;
    return value;
  };
  double low = -0.99;
  double high = 10.0;
  double value_low = npv(low, nullptr);
  const double value_high = npv(high, nullptr);
  if (std::isnan(value_low) || std::isnan(value_high) || (value_low > 0) == (value_high > 0)) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  double rate = 0.05;
  for (int iteration = 0; iteration < 200; ++iteration) {
    double slope = 0;
    const double value = npv(rate, &slope);
    if ((value > 0) == (value_low > 0)) {
      low = rate;
      value_low = value;
    } else {
      high = rate;
    }
    double next = slope != 0 ? rate - value / slope : 0.5 * (low + high);
    if (!(next > low && next < high)) next = 0.5 * (low + high);
    if (std::abs(next - rate) < 1e-14 || high - low < 1e-14) return next;
    rate = next;
  }
  return rate;
}

double FxPath::At(double time) const {
  if (times.empty()) return std::numeric_limits<double>::quiet_NaN();
  if (time <= times.front()) return rates.front();
  if (time >= times.back()) return rates.back();
  const auto upper = std::upper_bound(times.begin(), times.end(), time) - times.begin();
  const size_t lower = upper - 1;
  const double weight = (time - times[lower]) / (times[upper] - times[lower]);
  return std::exp((1 - weight) * std::log(rates[lower]) + weight * std::log(rates[upper]));
}

FxPath TrendPath(double spot, double rate, double horizon_years) {
  FxPath path;
  const int steps = std::max(1, static_cast<int>(std::ceil(horizon_years * 12)));
  for (int step = 0; step <= steps; ++step) {
    const double time = horizon_years * step / steps;
    path.times.push_back(time);
    path.rates.push_back(spot * std::pow(1 + rate, time));
  }
  return path;
}

FxPath ConstantPath(double spot, double horizon_years) { return TrendPath(spot, 0, horizon_years); }

FxPath ParityPath(double spot, double domestic_rate, double foreign_rate, double horizon_years) {
  return TrendPath(spot, (1 + domestic_rate) / (1 + foreign_rate) - 1, horizon_years);
}

double AllInCostAlongPath(const BondAnalytics& bond, const FxPath& path) {
  std::vector<double> times{0.0};
  std::vector<double> amounts{bond.net_proceeds * path.At(0)};
  for (const CashFlow& flow : bond.flows) {
    times.push_back(flow.time);
    amounts.push_back(-flow.Total() * path.At(flow.time));
  }
  return Irr(times, amounts);
}

double BreakEvenAppreciation(const BondAnalytics& foreign, const BondAnalytics& dollar) {
  const double horizon = foreign.flows.empty() ? 1.0 : foreign.flows.back().time + 1;
  const auto gap = [&](double appreciation) {
    return AllInCostAlongPath(foreign, TrendPath(1.0, appreciation, horizon)) - dollar.all_in_cost;
  };
  // The cost rises with the appreciation: bisect on a wide bracket.
  double low = -0.5;
  double high = 2.0;
  if (gap(low) > 0 || gap(high) < 0) return std::numeric_limits<double>::quiet_NaN();
  for (int iteration = 0; iteration < 200 && high - low > 1e-15; ++iteration) {
    const double middle = 0.5 * (low + high);
    (gap(middle) > 0 ? high : low) = middle;
  }
  return 0.5 * (low + high);
}

FxHistory LoadFxHistory(const std::string& data_dir, const std::vector<std::string>& currencies,
                        const std::string& first_month) {
  FxHistory history;
  std::vector<std::map<std::string, double>> month_ends;
  for (const std::string& currency : currencies) {
    if (currency == "USD") continue;
    const DailySeries series = SeriesFor(currency);
    history.currencies.push_back(currency);
    month_ends.push_back(MonthEnds(data_dir, series));
    history.source += (history.source.empty() ? "" : ", ") + series.file;
  }
  if (history.currencies.empty()) return history;
  for (const auto& entry : month_ends.front()) {
    const std::string& month = entry.first;
    if (month < first_month) continue;
    const bool all = std::all_of(month_ends.begin(), month_ends.end(),
                                 [&](const auto& series) { return series.count(month) > 0; });
    if (all) history.months.push_back(month);
  }
  if (history.months.size() < 24) {
    throw Error(ErrorCode::kBadData,
                fmt::format("exchange-rate history ({}) has only {} common months from {}",
                            history.source, history.months.size(), first_month));
  }
  const size_t num_currencies = history.currencies.size();
  history.log_levels.assign(num_currencies, {});
  history.returns.assign(num_currencies, {});
  for (size_t currency_idx = 0; currency_idx < num_currencies; ++currency_idx) {
    for (const std::string& month : history.months) {
      history.log_levels[currency_idx].push_back(std::log(month_ends[currency_idx].at(month)));
    }
    history.last_rate[history.currencies[currency_idx]] =
        month_ends[currency_idx].at(history.months.back());
  }
  // Returns only across consecutive calendar months (EUR/USD has a gap).
  for (size_t month_idx = 1; month_idx < history.months.size(); ++month_idx) {
    if (NextMonth(history.months[month_idx - 1]) != history.months[month_idx]) continue;
    for (size_t currency_idx = 0; currency_idx < num_currencies; ++currency_idx) {
      history.returns[currency_idx].push_back(history.log_levels[currency_idx][month_idx] -
                                              history.log_levels[currency_idx][month_idx - 1]);
    }
  }
  return history;
}

FxSimulation SimulateFx(const FxHistory& history, const FxModelOptions& options) {
  FxSimulation simulation;
  simulation.currencies = history.currencies;
  simulation.spot = history.last_rate;
  simulation.paths = options.paths;
  simulation.months = options.horizon_years * 12;
  const int num_currencies = static_cast<int>(history.currencies.size());
  if (options.paths < 1 || options.horizon_years < 1) {
    throw Error(ErrorCode::kBadScenario, "stochastic model: paths and horizon must be at least 1");
  }
  const size_t num_returns = num_currencies > 0 ? history.returns.front().size() : 0;
  const int block = std::max(1, std::min<int>(options.block_months, static_cast<int>(num_returns)));

  // Sample moments of the monthly log-returns.
  Eigen::MatrixXd centred(num_returns, num_currencies);
  simulation.drift.assign(num_currencies, 0.0);
  simulation.volatility.assign(num_currencies, 0.0);
  std::vector<double> means(num_currencies, 0.0);
  std::vector<std::string> no_rate;
  for (int currency_idx = 0; currency_idx < num_currencies; ++currency_idx) {
    const auto& returns = history.returns[currency_idx];
    means[currency_idx] =
        std::accumulate(returns.begin(), returns.end(), 0.0) / static_cast<double>(num_returns);
    for (size_t return_idx = 0; return_idx < num_returns; ++return_idx) {
      centred(static_cast<Eigen::Index>(return_idx), currency_idx) =
          returns[return_idx] - means[currency_idx];
    }
    simulation.volatility[currency_idx] =
        std::sqrt(centred.col(currency_idx).squaredNorm() / static_cast<double>(num_returns - 1));
    switch (options.drift) {
      case FxDrift::kHistorical:
        simulation.drift[currency_idx] = means[currency_idx];
        break;
      case FxDrift::kZero:
        simulation.drift[currency_idx] = 0;
        break;
      case FxDrift::kParity: {
        // Units per USD drift up by the interest differential: covered
        // interest parity, F/S = (1 + i_currency)/(1 + i_USD).
        const std::string& currency = history.currencies[currency_idx];
        const auto local = options.interest_rates.find(currency);
        const auto dollar = options.interest_rates.find("USD");
        if (dollar == options.interest_rates.end() ||
            (currency == "KES" && local == options.interest_rates.end())) {
          throw Error(
              ErrorCode::kBadScenario,
              fmt::format("forward-parity drift needs interest rates for {} and USD", currency));
        }
        if (local == options.interest_rates.end()) {
          // No rate for a third currency: no drift against the dollar.
          simulation.drift[currency_idx] = 0;
          no_rate.push_back(currency);
          break;
        }
        simulation.drift[currency_idx] = std::log((1 + local->second) / (1 + dollar->second)) / 12;
        break;
      }
    }
  }
  Eigen::MatrixXd cholesky = Eigen::MatrixXd::Zero(num_currencies, num_currencies);
  if (!no_rate.empty()) {
    simulation.model_notes =
        fmt::format("; no interest rate for {}: zero drift against USD", fmt::join(no_rate, ", "));
  }
  if (num_currencies > 0) {
    const Eigen::MatrixXd covariance =
        centred.transpose() * centred / static_cast<double>(num_returns - 1);
    cholesky = covariance.llt().matrixL();
  }
  simulation.model =
      options.kind == FxModelKind::kBlockBootstrap
          ? fmt::format(
                "block bootstrap of {}-month blocks of joint monthly log-returns ({} "
                "months, {} to {}), demeaned, scaled by {:g}, plus the {} drift",
                block, num_returns, history.months.front(), history.months.back(),
                options.volatility_scale,
                options.drift == FxDrift::kParity       ? "forward-parity"
                : options.drift == FxDrift::kHistorical ? "historical"
                                                        : "zero")
          : fmt::format(
                "correlated normal monthly log-returns, covariance from {} months ({} to "
                "{}), scaled by {:g}",
                num_returns, history.months.front(), history.months.back(),
                options.volatility_scale);

  const int months = simulation.months;
  const size_t stride = static_cast<size_t>(months) + 1;
  simulation.log_change.assign(static_cast<size_t>(options.paths) * num_currencies * stride, 0.0);
  const int threads = ResolveThreads(options.threads);
  ParallelFor(
      threads, options.paths,
      [&](int, int64_t begin, int64_t end) {
        std::vector<double> level(num_currencies);
        Eigen::VectorXd draw(num_currencies);
        for (int64_t path_idx = begin; path_idx < end; ++path_idx) {
          PathStream stream(options.seed, static_cast<uint64_t>(path_idx));
          std::fill(level.begin(), level.end(), 0.0);
          size_t source = 0;
          for (int month = 1; month <= months; ++month) {
            if (options.kind == FxModelKind::kBlockBootstrap) {
              if ((month - 1) % block == 0) {
                source = static_cast<size_t>(stream.Uniform() *
                                             static_cast<double>(num_returns - block + 1));
              } else {
                ++source;
              }
              for (int currency_idx = 0; currency_idx < num_currencies; ++currency_idx) {
                draw(currency_idx) = centred(static_cast<Eigen::Index>(source), currency_idx);
              }
            } else {
              for (int currency_idx = 0; currency_idx < num_currencies; ++currency_idx) {
                draw(currency_idx) = stream.Normal();
              }
              draw = (cholesky * draw).eval();
            }
            for (int currency_idx = 0; currency_idx < num_currencies; ++currency_idx) {
              level[currency_idx] +=
                  simulation.drift[currency_idx] + options.volatility_scale * draw(currency_idx);
              simulation
                  .log_change[(static_cast<size_t>(path_idx) * num_currencies + currency_idx) *
                                  stride +
                              month] = level[currency_idx];
            }
          }
        }
      },
      64);
  return simulation;
}

namespace {

// log(units per USD at t / spot) for a modelled currency; 0 for USD.
double LogChange(const FxSimulation& simulation, int currency_idx, int path_idx, double time) {
  const size_t stride = static_cast<size_t>(simulation.months) + 1;
  const double* values =
      simulation.log_change.data() +
      (static_cast<size_t>(path_idx) * simulation.currencies.size() + currency_idx) * stride;
  const double month = std::clamp(time * 12.0, 0.0, static_cast<double>(simulation.months));
  const auto lower = static_cast<int>(std::floor(month));
  const int upper = std::min(lower + 1, simulation.months);
  const double weight = month - lower;
  return (1 - weight) * values[lower] + weight * values[upper];
}

int CurrencyIndex(const FxSimulation& simulation, const std::string& currency) {
  const auto found =
      std::find(simulation.currencies.begin(), simulation.currencies.end(), currency);
  return found == simulation.currencies.end()
             ? -1
             : static_cast<int>(found - simulation.currencies.begin());
}

}  // namespace

double FxSimulation::KesPer(const std::string& currency, int path_idx, double time) const {
  const int kes_idx = CurrencyIndex(*this, "KES");
  if (kes_idx < 0) {
    throw Error(ErrorCode::kBadScenario, "the stochastic model needs the KES history");
  }
  const double kes_per_usd = spot.at("KES") * std::exp(LogChange(*this, kes_idx, path_idx, time));
  if (currency == "KES") return 1.0;
  if (currency == "USD") return kes_per_usd;
  const int currency_idx = CurrencyIndex(*this, currency);
  if (currency_idx < 0) {
    throw Error(ErrorCode::kBadScenario,
                fmt::format("no exchange-rate history for currency '{}' in the stochastic model",
                            currency));
  }
  const double units_per_usd =
      spot.at(currency) * std::exp(LogChange(*this, currency_idx, path_idx, time));
  return kes_per_usd / units_per_usd;
}

FxPath FxSimulation::PathFor(const std::string& currency, int path_idx) const {
  FxPath path;
  for (int month = 0; month <= months; ++month) {
    path.times.push_back(month / 12.0);
    path.rates.push_back(KesPer(currency, path_idx, month / 12.0));
  }
  return path;
}

FxPath FxSimulation::DriftPathFor(const std::string& currency) const {
  const auto per_usd = [&](const std::string& code, double time) {
    if (code == "USD") return 1.0;
    const int currency_idx = CurrencyIndex(*this, code);
    if (currency_idx < 0) {
      throw Error(ErrorCode::kBadScenario,
                  fmt::format("no exchange-rate history for currency '{}'", code));
    }
    return spot.at(code) * std::exp(drift[currency_idx] * 12.0 * time);
  };
  FxPath path;
  for (int month = 0; month <= months; ++month) {
    const double time = month / 12.0;
    path.times.push_back(time);
    path.rates.push_back(currency == "KES" ? 1.0 : per_usd("KES", time) / per_usd(currency, time));
  }
  return path;
}

CostDistribution KesCostDistribution(const BondAnalytics& bond, const std::string& currency,
                                     const FxSimulation& simulation, int threads,
                                     const std::string& reporting) {
  const auto rate = [&](int path, double time) {
    return simulation.KesPer(currency, path, time) / simulation.KesPer(reporting, path, time);
  };
  CostDistribution result;
  result.draws.assign(simulation.paths, 0.0);
  std::vector<double> times{0.0};
  for (const CashFlow& flow : bond.flows) times.push_back(flow.time);
  if (times.back() > simulation.months / 12.0 + 1e-9) {
    throw Error(ErrorCode::kBadScenario,
                fmt::format("the stochastic horizon ({} years) is shorter than the bond ({:.1f} "
                            "years): raise [fx] horizon_years",
                            simulation.months / 12, times.back()));
  }
  ParallelFor(
      ResolveThreads(threads), simulation.paths,
      [&](int, int64_t begin, int64_t end) {
        std::vector<double> amounts(times.size());
        for (int64_t path_idx = begin; path_idx < end; ++path_idx) {
          const int path = static_cast<int>(path_idx);
          amounts[0] = bond.net_proceeds * rate(path, 0.0);
          for (size_t flow_idx = 0; flow_idx < bond.flows.size(); ++flow_idx) {
            amounts[flow_idx + 1] = -bond.flows[flow_idx].Total() * rate(path, times[flow_idx + 1]);
          }
          result.draws[path_idx] = Irr(times, amounts);
        }
      },
      64);
  result.mean = std::accumulate(result.draws.begin(), result.draws.end(), 0.0) /
                static_cast<double>(result.draws.size());
  result.p05 = Quantile(result.draws, 0.05);
  result.p50 = Quantile(result.draws, 0.50);
  result.p95 = Quantile(result.draws, 0.95);
  FxPath drift_path = simulation.DriftPathFor(currency);
  if (reporting != "KES") {
    const FxPath reporting_path = simulation.DriftPathFor(reporting);
    for (size_t idx = 0; idx < drift_path.rates.size(); ++idx) {
      drift_path.rates[idx] /= reporting_path.rates[idx];
    }
  }
  result.deterministic = AllInCostAlongPath(bond, drift_path);
  return result;
}

}  // namespace mizani::finance
