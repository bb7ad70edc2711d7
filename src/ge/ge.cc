// Exact hat algebra for the one-sector structural gravity model.
//
// The unknown is x_i = ln w_hat_i (full endowment) or x_i = -ln Pi_hat_i
// (conditional), and a_i = exp(-theta x_i). Given x,
//   Phi_j = P_hat_j^-theta = sum_i M_ij a_i,            M_ij = pi_ij B_ij,
//   T_i   = sum_j M_ij E'_j / Phi_j,
//   sales_i = a_i T_i = sum_j X'_ij.
// Market clearing sales_i = Y'_i with Y'_i = Y_i w_hat_i (full endowment) or Y_i
// (conditional) gives the fixed point x = G(x) = (ln T - ln Y) / (theta + eta),
// eta = 1 (full) or 0 (conditional): the classic price-adjustment iteration of
// Alvarez & Lucas (2007, JME 54) in the hat form of Dekle, Eaton & Kortum (2007).
// G is shift-equivariant, G(x + c) = G(x) + c, so its fixed points form a ray
// and the step f = G(x) - x is shift-invariant; iterates are kept on the
// world-output normalisation and the requested normalisation is applied once
// at the end. Anderson acceleration (type II, Walker & Ni 2011, SINUM 49(4))
// mixes the last m steps; a step whose evaluation fails or whose residual
// explodes is replaced by a plain (damped) step and the history is discarded.
#include "mizani/ge.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <utility>

#include "ge/ge_common.h"
#include "mizani/error.h"
#include "numerics/anderson.h"

namespace mizani {
namespace {

using ge_internal::CountryLabel;
using ge_internal::ExpenditureRule;
using ge_internal::ExpenditureRuleFor;
using ge_internal::FillRealOutcomes;
using ge_internal::GroupResults;
using ge_internal::ValidatePartialEffects;

// An Anderson step whose residual exceeds this multiple of the current one is
// rejected in favour of a plain fixed-point step.
constexpr double kRejectFactor = 10.0;
// Halvings of the damping tried when even a plain step cannot be evaluated.
constexpr int kMaxStepHalvings = 30;
// A stage that has not cut its best residual by kProgressFactor within
// kStallWindow iterations hands over to the next, more robust stage.
constexpr double kProgressFactor = 0.9;
constexpr int kStallWindow = 200;
// Floor on |dF_i/dx_i| in the Jacobi step, relative to the plain step's
// theta + eta: caps the step at 1 / kMinCurvature times the plain one.
constexpr double kMinCurvature = 1e-2;

[[noreturn]] void Fail(const std::string& message) {
  throw Error(ErrorCode::kBadScenario, message);
}

void ValidateFlows(const Eigen::MatrixXd& flows, const std::vector<std::string>& codes) {
  if (flows.rows() != flows.cols()) {
    Fail(fmt::format("baseline flows must be a square exporter x importer matrix, got {} x {}",
                     flows.rows(), flows.cols()));
  }
  if (flows.rows() < 2) {
    Fail(fmt::format("baseline flows must cover at least 2 countries, got {}", flows.rows()));
  }
  const int num_countries = static_cast<int>(flows.rows());
  for (int importer_idx = 0; importer_idx < num_countries; ++importer_idx) {
    for (int exporter_idx = 0; exporter_idx < num_countries; ++exporter_idx) {
      const double flow = flows(exporter_idx, importer_idx);
      if (!std::isfinite(flow)) {
        Fail(fmt::format("baseline flow from {} to {} is {}; flows must be finite",
                         CountryLabel(codes, exporter_idx), CountryLabel(codes, importer_idx),
                         flow));
      }
      if (flow < 0) {
        Fail(fmt::format("baseline flow from {} to {} is negative ({})",
                         CountryLabel(codes, exporter_idx), CountryLabel(codes, importer_idx),
                         flow));
      }
    }
  }
  for (int country_idx = 0; country_idx < num_countries; ++country_idx) {
    if (!(flows(country_idx, country_idx) > 0)) {
      Fail(fmt::format(
          "domestic flow of {} is {}; exact hat algebra needs every domestic flow X_ii > 0 "
          "(include intra-national trade, e.g. output minus exports)",
          CountryLabel(codes, country_idx), flows(country_idx, country_idx)));
    }
  }
}

std::vector<std::string> ValidateCodes(std::vector<std::string> codes, int num_countries) {
  if (codes.empty()) {
    codes.reserve(num_countries);
    for (int country_idx = 0; country_idx < num_countries; ++country_idx) {
      codes.push_back(std::to_string(country_idx));
    }
    return codes;
  }
  if (static_cast<int>(codes.size()) != num_countries) {
    Fail(fmt::format("{} country codes given for a {} x {} flow matrix", codes.size(),
                     num_countries, num_countries));
  }
  std::set<std::string> seen;
  for (int country_idx = 0; country_idx < num_countries; ++country_idx) {
    if (!seen.insert(codes[country_idx]).second) {
      Fail(fmt::format("country code '{}' appears twice (index {})", codes[country_idx],
                       country_idx));
    }
  }
  return codes;
}

void ValidateMembers(const std::vector<int>& members, int num_countries, const std::string& what) {
  std::set<int> seen;
  for (int member_idx : members) {
    if (member_idx < 0 || member_idx >= num_countries) {
      Fail(fmt::format("{}: country index {} is out of range [0, {})", what, member_idx,
                       num_countries));
    }
    if (!seen.insert(member_idx).second) {
      Fail(fmt::format("{}: country index {} is listed twice", what, member_idx));
    }
  }
}

void ValidateOptions(const GeOptions& options, int num_countries,
                     const std::vector<std::string>& codes) {
  if (!(options.tolerance > 0) || !std::isfinite(options.tolerance)) {
    Fail(fmt::format("GE tolerance must be positive and finite, got {}", options.tolerance));
  }
  if (options.max_iterations < 0) {
    Fail(fmt::format("GE max_iterations must be >= 0, got {}", options.max_iterations));
  }
  if (options.anderson_memory < 0 || options.anderson_memory > 100) {
    Fail(fmt::format("GE anderson_memory must be in [0, 100], got {}", options.anderson_memory));
  }
  if (!(options.damping > 0 && options.damping <= 1)) {
    Fail(fmt::format("GE damping must be in (0, 1], got {}", options.damping));
  }
  if (options.normalization == Normalization::kReferencePrice &&
      (options.reference_country < 0 || options.reference_country >= num_countries)) {
    Fail(fmt::format("reference country index {} is out of range [0, {})",
                     options.reference_country, num_countries));
  }
  const Eigen::VectorXd& levels = options.baseline_inward_resistance;
  if (levels.size() != 0) {
    if (levels.size() != num_countries) {
      Fail(fmt::format("baseline inward resistance has {} entries for {} countries", levels.size(),
                       num_countries));
    }
    for (int country_idx = 0; country_idx < num_countries; ++country_idx) {
      if (!(levels(country_idx) > 0) || !std::isfinite(levels(country_idx))) {
        Fail(fmt::format("baseline inward resistance of {} is {}; it must be positive",
                         CountryLabel(codes, country_idx), levels(country_idx)));
      }
    }
  }
  for (const auto& [name, members] : options.groups) {
    ValidateMembers(members, num_countries, fmt::format("group '{}'", name));
  }
}

// What the fixed point needs about the economy: M = pi o B and the baseline totals.
struct Economy {
  const Eigen::MatrixXd* weights = nullptr;
  const Eigen::VectorXd* output = nullptr;
  const Eigen::VectorXd* expenditure = nullptr;
  const Eigen::VectorXd* deficit = nullptr;
  const std::vector<std::string>* codes = nullptr;
  Eigen::VectorXd log_output;
  double world_output = 0;
  double theta = 0;
  bool full_endowment = true;
  ExpenditureRule rule = ExpenditureRule::kAdditive;
  bool precondition = true;  // diagonal-Newton (Jacobi) step instead of the plain one
};

// Everything computed from one x; buffers are reused across iterations.
struct Evaluation {
  Eigen::VectorXd a, phi, new_output, new_expenditure, ratio, sales_factor, step;
  Eigen::VectorXd own_share_factor;  // sum_j M_ij^2 E'_j / Phi_j^2, for the Jacobi diagonal
  double expenditure_scale = 1;
  double max_excess = 0;  // max_i |ln(sales_i / Y'_i)|
  std::string failure;

  explicit Evaluation(int num_countries)
      : a(num_countries),
        phi(num_countries),
        new_output(num_countries),
        new_expenditure(num_countries),
        ratio(num_countries),
        sales_factor(num_countries),
        step(num_countries),
        own_share_factor(num_countries) {}
};

// Shifts x so that sum_i Y_i exp(x_i) = sum_i Y_i.
void NormalizeWorldOutput(const Economy& economy, Eigen::VectorXd& x) {
  const double shift =
      std::log((economy.output->array() * x.array().exp()).sum() / economy.world_output);
  if (std::isfinite(shift)) x.array() -= shift;
}

bool Evaluate(const Economy& economy, const Eigen::VectorXd& x, Evaluation& ev) {
  const Eigen::MatrixXd& weights = *economy.weights;
  const Eigen::VectorXd& output = *economy.output;
  ev.a = (-economy.theta * x.array()).exp();
  ev.phi.noalias() = weights.transpose() * ev.a;
  if (!ev.phi.allFinite() || !(ev.phi.minCoeff() > 0)) {
    ev.failure = "price indices overflowed or vanished (P_hat^-theta not finite and positive)";
    return false;
  }
  if (economy.full_endowment) {
    ev.new_output = output.array() * x.array().exp();
  } else {
    ev.new_output = output;
  }
  switch (economy.rule) {
    case ExpenditureRule::kFixed:
      ev.new_expenditure = *economy.expenditure;
      ev.expenditure_scale = 1;
      break;
    case ExpenditureRule::kAdditive:
      ev.expenditure_scale = ev.new_output.sum() / economy.world_output;
      ev.new_expenditure = ev.new_output + ev.expenditure_scale * *economy.deficit;
      break;
    case ExpenditureRule::kMultiplicative:
      ev.new_expenditure = economy.expenditure->array() * x.array().exp();
      ev.expenditure_scale = ev.new_output.sum() / ev.new_expenditure.sum();
      ev.new_expenditure *= ev.expenditure_scale;
      break;
    case ExpenditureRule::kBalanced:
      ev.new_expenditure = ev.new_output;
      ev.expenditure_scale = 1;
      break;
  }
  Eigen::Index worst_idx = 0;
  if (!ev.new_expenditure.allFinite() || !(ev.new_expenditure.minCoeff(&worst_idx) > 0)) {
    ev.failure = fmt::format(
        "expenditure of {} would be {} (<= 0): its fixed trade surplus exceeds its "
        "counterfactual output; use multiplicative or removed imbalances (imbalances = "
        "\"multiplicative\" in a scenario)",
        CountryLabel(*economy.codes, static_cast<int>(worst_idx)), ev.new_expenditure(worst_idx));
    return false;
  }
  ev.ratio = ev.new_expenditure.cwiseQuotient(ev.phi);
  if (economy.precondition) {
    // T = M ratio and Q = (M o M)(ratio / Phi) in one pass over M, which is
    // what bounds the cost for large N (the matrix does not fit in cache).
    ev.sales_factor.setZero();
    ev.own_share_factor.setZero();
    for (Eigen::Index importer_idx = 0; importer_idx < weights.cols(); ++importer_idx) {
      const double ratio = ev.ratio(importer_idx);
      const double ratio_over_phi = ratio / ev.phi(importer_idx);
      ev.sales_factor.noalias() += ratio * weights.col(importer_idx);
      ev.own_share_factor.array() += ratio_over_phi * weights.col(importer_idx).array().square();
    }
  } else {
    ev.sales_factor.noalias() = weights * ev.ratio;
  }
  if (!ev.sales_factor.allFinite() || !(ev.sales_factor.minCoeff() > 0)) {
    ev.failure = "sales overflowed or vanished";
    return false;
  }
  // Log excess supply F_i = ln(sales_i / Y'_i) = ln(a_i T_i) - ln Y'_i.
  const double eta = economy.full_endowment ? 1.0 : 0.0;
  const double denominator = economy.theta + eta;
  ev.step = (ev.sales_factor.array().log() - economy.log_output.array()) - denominator * x.array();
  ev.max_excess = ev.step.cwiseAbs().maxCoeff();
  if (!std::isfinite(ev.max_excess)) {
    ev.failure = "the excess supply is not finite";
    return false;
  }
  if (!economy.precondition) {
    // The plain step, x_new = G(x) = (ln T - ln Y) / (theta + eta).
    ev.step /= denominator;
    return true;
  }
  // Jacobi step x_new_i = x_i - F_i / (dF_i/dx_i). With a_i = exp(-theta x_i):
  //   dF_i/dx_i = -theta (1 - q_i) + own_i - eta,
  //   q_i = sum_j X'_ij pi'_ij / sales_i = a_i Q_i / T_i (sales-weighted market share),
  //   own_i = (X'_ii / sales_i) (dE'_i/dx_i) / E'_i (own spending on own goods),
  // ignoring the O(1/N) world-level terms of the deficit scale and kappa. As
  // F(x + c) = F(x), the Jacobian has zero row sums and, goods being gross
  // substitutes, a negative diagonal; the plain step instead divides by the
  // closed-economy bound -(theta + eta), which is why it crawls when domestic
  // shares are high (|dF_i/dx_i| -> 0 as the economy closes).
  const auto q = ev.a.array() * ev.own_share_factor.array() / ev.sales_factor.array();
  const auto own_sales_share =
      weights.diagonal().array() * ev.a.array() * ev.ratio.array() / ev.sales_factor.array();
  Eigen::ArrayXd own_expenditure_elasticity;
  switch (economy.rule) {
    case ExpenditureRule::kFixed:
      own_expenditure_elasticity = Eigen::ArrayXd::Zero(x.size());
      break;
    case ExpenditureRule::kAdditive:
      // Y'_i / E'_i, capped at its balanced-trade value 1: for a large surplus
      // country the uncapped term would flip the sign of the diagonal.
      own_expenditure_elasticity = (ev.new_output.array() / ev.new_expenditure.array()).min(1.0);
      break;
    case ExpenditureRule::kMultiplicative:
    case ExpenditureRule::kBalanced:
      own_expenditure_elasticity = Eigen::ArrayXd::Ones(x.size());
      break;
  }
  const double min_curvature = kMinCurvature * denominator;
  const Eigen::ArrayXd diagonal =
      (-economy.theta * (1.0 - q) + own_sales_share * own_expenditure_elasticity - eta)
          .min(-min_curvature);
  ev.step = -ev.step.array() / diagonal;
  return true;
}

struct SolveOutcome {
  Termination termination = Termination::kNumericalFailure;
  std::string message;
  int iterations = 0;
  int restarts = 0;
  Eigen::VectorXd x;
};

// One way of iterating: the step (Jacobi-preconditioned or plain) and the
// Anderson memory (0 = none).
struct Stage {
  bool precondition;
  int memory;
};

// The stages tried in turn: each later one is slower but more robust, down to
// the plain fixed point, which converges globally for this model (goods are
// gross substitutes; Alvarez & Lucas 2007). A non-final stage that stalls or
// cannot evaluate a step hands its best point to the next.
std::vector<Stage> StagesFor(const GeOptions& options) {
  if (options.algorithm == GeAlgorithm::kFixedPoint) return {{false, 0}};
  const int memory = options.anderson_memory;
  std::vector<Stage> stages = {{true, memory}};
  if (memory > 0) stages.push_back({false, memory});
  stages.push_back({false, 0});
  return stages;
}

// Runs the (accelerated) fixed point from x0; on return `ev` holds the
// evaluation at outcome.x unless the start point itself cannot be evaluated.
SolveOutcome RunFixedPoint(const Economy& base_economy, Eigen::VectorXd x0,
                           const GeOptions& options, Evaluation& ev) {
  const int num_countries = static_cast<int>(x0.size());
  const std::vector<Stage> stages = StagesFor(options);
  SolveOutcome outcome;
  outcome.x = std::move(x0);
  NormalizeWorldOutput(base_economy, outcome.x);

  Eigen::VectorXd candidate(num_countries), best_x(num_countries);
  Evaluation trial(num_countries);
  int iteration = 0;
  std::string last_failure;

  for (size_t stage_idx = 0; stage_idx < stages.size(); ++stage_idx) {
    const Stage& stage = stages[stage_idx];
    const bool final_stage = stage_idx + 1 == stages.size();
    Economy economy = base_economy;
    economy.precondition = stage.precondition;
    if (!Evaluate(economy, outcome.x, ev)) {
      outcome.message = "cannot evaluate the model at the starting point: " + ev.failure;
      outcome.x.resize(0);
      return outcome;
    }
    numerics::AndersonMixer mixer(num_countries, stage.memory);
    double best_residual = ev.max_excess;
    best_x = outcome.x;
    int best_iteration = iteration;
    bool stalled = false;

    for (;; ++iteration) {
      outcome.iterations = iteration;
      if (ev.max_excess <= options.tolerance) {
        outcome.termination = Termination::kConverged;
        outcome.message = fmt::format("converged in {} iterations (max |ln excess supply| {:.3g})",
                                      iteration, ev.max_excess);
        return outcome;
      }
      if (iteration >= options.max_iterations) {
        outcome.termination = Termination::kMaxIterations;
        outcome.message = fmt::format(
            "stopped after {} iterations with max |ln excess supply| {:.3g} > tolerance {:.3g}",
            iteration, ev.max_excess, options.tolerance);
        return outcome;
      }
      if (ev.max_excess < kProgressFactor * best_residual) {
        best_residual = ev.max_excess;
        best_x = outcome.x;
        best_iteration = iteration;
      } else if (!final_stage && iteration - best_iteration >= kStallWindow) {
        stalled = true;
        break;
      }
      // Type-II Anderson mixing of the last steps (numerics/anderson.h).
      mixer.Record(outcome.x, ev.step);
      bool accepted = false;
      if (mixer.Propose(outcome.x, ev.step, options.damping, candidate)) {
        NormalizeWorldOutput(economy, candidate);
        accepted = candidate.allFinite() && Evaluate(economy, candidate, trial) &&
                   trial.max_excess <= kRejectFactor * best_residual;
        if (!accepted) {
          ++outcome.restarts;
          mixer.Reset();
        }
      }
      double beta = options.damping;
      for (int halving = 0; !accepted && halving <= kMaxStepHalvings; ++halving, beta *= 0.5) {
        candidate = outcome.x + beta * ev.step;
        NormalizeWorldOutput(economy, candidate);
        accepted = Evaluate(economy, candidate, trial);
      }
      if (!accepted) {
        last_failure = trial.failure;
        stalled = true;
        break;
      }
      outcome.x.swap(candidate);
      std::swap(ev, trial);
    }
    if (stalled && final_stage) break;
    // Hand the best point of this stage to the next one.
    outcome.x = best_x;
  }
  outcome.termination = Termination::kNumericalFailure;
  outcome.message = fmt::format("numerical failure after {} iterations: {}", iteration,
                                last_failure.empty() ? "no progress" : last_failure);
  // Leave `ev` consistent with outcome.x for the caller.
  if (!Evaluate(base_economy, outcome.x, ev)) outcome.x.resize(0);
  return outcome;
}

Economy MakeEconomy(const Eigen::MatrixXd& weights, const Eigen::VectorXd& output,
                    const Eigen::VectorXd& expenditure, const Eigen::VectorXd& deficit,
                    const std::vector<std::string>& codes, double theta, bool full_endowment,
                    ExpenditureRule rule, const GeOptions& options) {
  Economy economy;
  economy.weights = &weights;
  economy.output = &output;
  economy.expenditure = &expenditure;
  economy.deficit = &deficit;
  economy.codes = &codes;
  economy.log_output = output.array().log();
  economy.world_output = output.sum();
  economy.theta = theta;
  economy.full_endowment = full_endowment;
  economy.rule = rule;
  economy.precondition = options.algorithm == GeAlgorithm::kAnderson;
  return economy;
}

// X'_ij = M_ij a_i E'_j / Phi_j.
Eigen::MatrixXd NewFlows(const Eigen::MatrixXd& weights, const Evaluation& ev) {
  Eigen::MatrixXd flows(weights.rows(), weights.cols());
  for (Eigen::Index importer_idx = 0; importer_idx < weights.cols(); ++importer_idx) {
    flows.col(importer_idx) = weights.col(importer_idx).cwiseProduct(ev.a) * ev.ratio(importer_idx);
  }
  return flows;
}

// 100 * (after / (deflator * before) - 1).
Eigen::VectorXd PercentChange(const Eigen::VectorXd& before, const Eigen::VectorXd& after,
                              double deflator) {
  return 100.0 * (after.array() / (deflator * before.array()) - 1.0);
}

}  // namespace

double IntraGroupTradeShare(const Eigen::MatrixXd& flows, const std::vector<int>& members) {
  if (flows.rows() != flows.cols()) {
    Fail(fmt::format("intra-group share needs a square flow matrix, got {} x {}", flows.rows(),
                     flows.cols()));
  }
  const int num_countries = static_cast<int>(flows.rows());
  ValidateMembers(members, num_countries, "intra-group share");
  double intra = 0;
  double members_trade = 0;
  for (int member_idx : members) {
    const double domestic = flows(member_idx, member_idx);
    members_trade += flows.row(member_idx).sum() - domestic;  // exports
    members_trade += flows.col(member_idx).sum() - domestic;  // imports
    for (int partner_idx : members) {
      if (partner_idx != member_idx) intra += flows(member_idx, partner_idx);
    }
  }
  // Each intra-group flow is one member's export and another's import.
  return members_trade > 0 ? 2.0 * intra / members_trade : 0.0;
}

Eigen::MatrixXd AgreementPartialEffects(int num_countries, const std::vector<int>& members,
                                        double coefficient) {
  if (num_countries < 1) Fail(fmt::format("number of countries must be positive"));
  ValidateMembers(members, num_countries, "agreement");
  Eigen::MatrixXd effects = Eigen::MatrixXd::Ones(num_countries, num_countries);
  const double effect = std::exp(coefficient);
  for (int exporter_idx : members) {
    for (int importer_idx : members) {
      if (exporter_idx != importer_idx) effects(exporter_idx, importer_idx) = effect;
    }
  }
  return effects;
}

GeProblem::GeProblem(Eigen::MatrixXd flows, std::vector<std::string> codes, double theta,
                     GeOptions options)
    : baseline_flows_(std::move(flows)), theta_(theta), options_(std::move(options)) {
  ValidateFlows(baseline_flows_, codes);
  const int num_countries = static_cast<int>(baseline_flows_.rows());
  codes_ = ValidateCodes(std::move(codes), num_countries);
  if (!(theta_ > 0) || !std::isfinite(theta_)) {
    Fail(fmt::format(
        "trade elasticity theta = sigma - 1 must be positive and finite, got {} (sigma = {})",
        theta_, theta_ + 1));
  }
  ValidateOptions(options_, num_countries, codes_);

  output_ = baseline_flows_.rowwise().sum();
  expenditure_ = baseline_flows_.colwise().sum().transpose();
  deficit_ = expenditure_ - output_;
  shares_ = baseline_flows_.array().rowwise() / expenditure_.transpose().array();

  if (options_.imbalance == ImbalanceMode::kRemoved) {
    // Dekle, Eaton & Kortum (2007, section III): a first counterfactual with
    // unchanged trade costs and D' = 0 gives the balanced baseline.
    const Economy economy =
        MakeEconomy(shares_, output_, expenditure_, deficit_, codes_, theta_,
                    /*full_endowment=*/true, ExpenditureRule::kBalanced, options_);
    Evaluation ev(num_countries);
    const SolveOutcome outcome =
        RunFixedPoint(economy, Eigen::VectorXd::Zero(num_countries), options_, ev);
    removal_termination_ = outcome.termination;
    removal_iterations_ = outcome.iterations;
    if (outcome.termination == Termination::kConverged) {
      baseline_flows_ = NewFlows(shares_, ev);
      output_ = baseline_flows_.rowwise().sum();
      expenditure_ = baseline_flows_.colwise().sum().transpose();
      deficit_.setZero();
      shares_ = baseline_flows_.array().rowwise() / expenditure_.transpose().array();
    } else {
      removal_message_ = "removing trade imbalances failed: " + outcome.message;
    }
  }
}

GeResult GeProblem::Solve(const Eigen::MatrixXd& partial_effects,
                          const GeResult* warm_start) const {
  const int num_countries = this->num_countries();
  ValidatePartialEffects(partial_effects, num_countries, codes_);
  GeResult result;
  result.imbalance_removal_iterations = removal_iterations_;
  if (removal_termination_ != Termination::kConverged) {
    result.termination = removal_termination_;
    result.message = removal_message_;
    return result;
  }
  Eigen::VectorXd x0 = Eigen::VectorXd::Zero(num_countries);
  if (warm_start != nullptr && warm_start->log_price_state.size() != 0) {
    if (warm_start->log_price_state.size() != num_countries ||
        !warm_start->log_price_state.allFinite()) {
      Fail(fmt::format("warm start has {} countries; this problem has {}",
                       warm_start->log_price_state.size(), num_countries));
    }
    x0 = warm_start->log_price_state;
  }

  const bool full_endowment = options_.mode == GeMode::kFullEndowment;
  const ExpenditureRule rule = ExpenditureRuleFor(options_);
  const Eigen::MatrixXd weights = shares_.cwiseProduct(partial_effects);
  const Economy economy = MakeEconomy(weights, output_, expenditure_, deficit_, codes_, theta_,
                                      full_endowment, rule, options_);
  Evaluation ev(num_countries);
  SolveOutcome outcome = RunFixedPoint(economy, std::move(x0), options_, ev);
  result.termination = outcome.termination;
  result.message = outcome.message;
  result.iterations = outcome.iterations;
  result.anderson_restarts = outcome.restarts;
  result.baseline_flows = baseline_flows_;
  if (outcome.x.size() != num_countries) {
    return result;
  }
  result.log_price_state = outcome.x;

  // The requested normalisation: P_hat_ref = 1 means Phi_ref = 1; as Phi scales
  // with exp(-theta c) under x -> x + c, shift by c = ln(Phi_ref) / theta.
  Eigen::VectorXd x = outcome.x;
  if (options_.normalization == Normalization::kReferencePrice) {
    x.array() += std::log(ev.phi(options_.reference_country)) / theta_;
    if (!Evaluate(economy, x, ev)) {
      result.termination = Termination::kNumericalFailure;
      result.message = "cannot apply the reference-price normalisation: " + ev.failure;
      return result;
    }
  }
  result.max_log_excess_supply = ev.max_excess;
  result.expenditure_scale = ev.expenditure_scale;
  result.new_flows = NewFlows(weights, ev);

  const Eigen::VectorXd row_sums = result.new_flows.rowwise().sum();
  const Eigen::VectorXd col_sums = result.new_flows.colwise().sum().transpose();
  result.market_clearing_residual =
      ((row_sums - ev.new_output).cwiseAbs().array() / ev.new_output.array()).maxCoeff();
  result.budget_residual =
      ((col_sums - ev.new_expenditure).cwiseAbs().array() / ev.new_expenditure.array()).maxCoeff();

  // Percent changes of values are taken in units of world output, which makes
  // them independent of the normalisation (every nominal value scales with the
  // numeraire); under kWorldOutput they are plain nominal changes.
  const double world_output_hat = ev.new_output.sum() / output_.sum();
  result.world_output_hat = world_output_hat;
  result.flow_change_pct =
      (baseline_flows_.array() > 0)
          .select(100.0 * (result.new_flows.array() / (world_output_hat * baseline_flows_.array()) -
                           1.0),
                  0.0);

  GeCountryResults& countries = result.countries;
  countries.codes = codes_;
  const Eigen::VectorXd domestic_before = baseline_flows_.diagonal();
  const Eigen::VectorXd domestic_after = result.new_flows.diagonal();
  countries.domestic_before = domestic_before;
  countries.domestic_after = domestic_after;
  countries.exports_before = output_ - domestic_before;
  countries.exports_after = row_sums - domestic_after;
  countries.exports_change_pct =
      PercentChange(countries.exports_before, countries.exports_after, world_output_hat);
  countries.imports_before = expenditure_ - domestic_before;
  countries.imports_after = col_sums - domestic_after;
  countries.imports_change_pct =
      PercentChange(countries.imports_before, countries.imports_after, world_output_hat);
  countries.output_before = output_;
  countries.output_after = ev.new_output;
  countries.expenditure_before = expenditure_;
  countries.expenditure_after = ev.new_expenditure;
  countries.trade_balance_before = countries.exports_before - countries.imports_before;
  countries.trade_balance_after = countries.exports_after - countries.imports_after;

  const Eigen::ArrayXd inward_hat = ev.phi.array().pow(-1.0 / theta_);
  countries.inward_resistance_hat = inward_hat;
  countries.inward_resistance_level =
      options_.baseline_inward_resistance.size() == num_countries
          ? Eigen::VectorXd(options_.baseline_inward_resistance.array() * inward_hat)
          : Eigen::VectorXd(inward_hat);
  // Pi_hat_i^-theta = sum_j (X_ij / Y_i) B_ij E_hat_j / (Phi_j Y_hat_world) = T_i / (Y_i
  // Y_hat_world).
  countries.outward_resistance_hat =
      (ev.sales_factor.array() / (output_.array() * world_output_hat)).pow(-1.0 / theta_);
  FillRealOutcomes(full_endowment, x, inward_hat, ev.new_expenditure, expenditure_, rule,
                   ev.expenditure_scale, countries);
  result.groups = GroupResults(options_, baseline_flows_, result.new_flows);
  return result;
}

GeResult SolveGe(const Eigen::MatrixXd& flows, const std::vector<std::string>& codes, double theta,
                 const Eigen::MatrixXd& partial_effects, const GeOptions& options) {
  return GeProblem(flows, codes, theta, options).Solve(partial_effects);
}

}  // namespace mizani
