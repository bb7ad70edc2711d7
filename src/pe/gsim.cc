// GSIM (Francois and Hall 2003, "Global simulation analysis of industry-level
// trade policy"; Jammes and Olarreaga 2005, section 3): one product, several
// importing markets and exporters. Each importer has a CES composite of
// varieties by origin with a constant-elasticity demand for the composite;
// each exporter a constant-elasticity supply at one world price for all its
// destinations. Market clearing for every exporter is solved for the world
// prices by Newton's method in log prices. docs/pe.md has the equations.
#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

#include "mizani/error.h"
#include "mizani/pe.h"
#include "pe/checks.h"
#include "pe/gsim_linearised.h"

namespace mizani::pe {

namespace {

struct GsimState {
  std::vector<double> quantity;     // per pair, quantity demanded
  std::vector<double> price_index;  // per importer, P1/P0
  std::vector<double> share;        // per pair, current expenditure share
  std::vector<double> excess;       // per exporter, demand - supply (scaled by supply0)
};

class GsimModel {
 public:
  explicit GsimModel(const GsimProduct& product)
      : p_(product),
        num_importers_(product.importers.size()),
        num_exporters_(product.exporters.size()) {
    const size_t num_pairs = num_importers_ * num_exporters_;
    supply0_.assign(num_exporters_, 0.0);
    base_share_.assign(num_pairs, 0.0);
    expenditure0_.assign(num_importers_, 0.0);
    tariff_ratio_.assign(num_pairs, 1.0);
    for (size_t imp = 0; imp < num_importers_; ++imp) {
      for (size_t exp = 0; exp < num_exporters_; ++exp) {
        const size_t pair = imp * num_exporters_ + exp;
        supply0_[exp] += p_.trade[pair];
        expenditure0_[imp] += p_.trade[pair] * (1 + p_.tariff0[pair]);
        tariff_ratio_[pair] = (1 + p_.tariff1[pair]) / (1 + p_.tariff0[pair]);
      }
      for (size_t exp = 0; exp < num_exporters_; ++exp) {
        const size_t pair = imp * num_exporters_ + exp;
        if (expenditure0_[imp] > 0) {
          base_share_[pair] = p_.trade[pair] * (1 + p_.tariff0[pair]) / expenditure0_[imp];
        }
      }
    }
  }

  double supply0(size_t exp) const { return supply0_[exp]; }
  double expenditure0(size_t imp) const { return expenditure0_[imp]; }

  // Demand and excess demand at world prices `price` (p*1/p*0 per exporter).
  void Evaluate(const std::vector<double>& price, GsimState& state) const {
    const double sigma = p_.substitution;
    state.quantity.assign(num_importers_ * num_exporters_, 0.0);
    state.share.assign(num_importers_ * num_exporters_, 0.0);
    state.price_index.assign(num_importers_, 1.0);
    for (size_t imp = 0; imp < num_importers_; ++imp) {
      if (expenditure0_[imp] <= 0) continue;
      // P^(1-sigma) = sum_e theta_e d_e^(1-sigma), d_e the domestic price ratio.
      double sum = 0;
      for (size_t exp = 0; exp < num_exporters_; ++exp) {
        const size_t pair = imp * num_exporters_ + exp;
        if (base_share_[pair] <= 0) continue;
        const double term =
            base_share_[pair] * std::pow(price[exp] * tariff_ratio_[pair], 1 - sigma);
        state.share[pair] = term;
        sum += term;
      }
      const double index = std::pow(sum, 1 / (1 - sigma));
      state.price_index[imp] = index;
      const double composite = std::pow(index, p_.import_demand[imp]);
      for (size_t exp = 0; exp < num_exporters_; ++exp) {
        const size_t pair = imp * num_exporters_ + exp;
        if (base_share_[pair] <= 0) continue;
        state.share[pair] /= sum;
        const double relative = price[exp] * tariff_ratio_[pair] / index;
        state.quantity[pair] = p_.trade[pair] * std::pow(relative, -sigma) * composite;
      }
    }
    state.excess.assign(num_exporters_, 0.0);
    for (size_t exp = 0; exp < num_exporters_; ++exp) {
      // Infinitely elastic supply meets any demand at the given price.
      if (supply0_[exp] <= 0 || std::isinf(p_.export_supply[exp])) continue;
      double demand = 0;
      for (size_t imp = 0; imp < num_importers_; ++imp) {
        demand += state.quantity[imp * num_exporters_ + exp];
      }
      state.excess[exp] = (demand - Supply(exp, price[exp])) / supply0_[exp];
    }
  }

  double Supply(size_t exp, double price) const {
    const double eta = p_.export_supply[exp];
    return std::isinf(eta) ? supply0_[exp] : supply0_[exp] * std::pow(price, eta);
  }

  // d excess_e / d ln p_f, excess scaled by supply0_e. With d ln m_ie / d ln
  // p_f = -sigma [e == f] + (sigma + eps_i) share_if.
  Eigen::MatrixXd Jacobian(const std::vector<double>& price, const GsimState& state,
                           const std::vector<size_t>& free) const {
    const double sigma = p_.substitution;
    const size_t n = free.size();
    Eigen::MatrixXd jac =
        Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
    for (size_t row = 0; row < n; ++row) {
      const size_t e = free[row];
      for (size_t imp = 0; imp < num_importers_; ++imp) {
        const double m = state.quantity[imp * num_exporters_ + e];
        if (m <= 0) continue;
        const double coef = sigma + p_.import_demand[imp];
        for (size_t col = 0; col < n; ++col) {
          const size_t f = free[col];
          jac(static_cast<Eigen::Index>(row), static_cast<Eigen::Index>(col)) +=
              m * coef * state.share[imp * num_exporters_ + f];
        }
        jac(static_cast<Eigen::Index>(row), static_cast<Eigen::Index>(row)) -= m * sigma;
      }
      jac(static_cast<Eigen::Index>(row), static_cast<Eigen::Index>(row)) -=
          p_.export_supply[e] * Supply(e, price[e]);
      jac.row(static_cast<Eigen::Index>(row)) /= supply0_[e];
    }
    return jac;
  }

 private:
  const GsimProduct& p_;
  size_t num_importers_;
  size_t num_exporters_;
  std::vector<double> supply0_;
  std::vector<double> base_share_;
  std::vector<double> expenditure0_;
  std::vector<double> tariff_ratio_;
};

double MaxAbs(const std::vector<double>& values) {
  double max = 0;
  for (const double value : values) max = std::max(max, std::abs(value));
  return max;
}

}  // namespace

GsimResult SolveGsim(const GsimProduct& product, const GsimOptions& options) {
  CheckGsimProduct(product);
  if (options.solution == GsimSolution::kLinearised) {
    return SolveGsimLinearised(product, options);
  }
  const size_t num_importers = product.importers.size();
  const size_t num_exporters = product.exporters.size();
  GsimModel model(product);
  // Exporters whose price moves: finite supply elasticity and some sales.
  std::vector<size_t> free;
  for (size_t exp = 0; exp < num_exporters; ++exp) {
    if (!std::isinf(product.export_supply[exp]) && model.supply0(exp) > 0) free.push_back(exp);
  }
  std::vector<double> price(num_exporters, 1.0);
  GsimState state;
  model.Evaluate(price, state);
  GsimResult result;
  double residual = MaxAbs(state.excess);
  int iteration = 0;
  while (residual > options.tolerance && iteration < options.max_iterations && !free.empty()) {
    ++iteration;
    const Eigen::MatrixXd jac = model.Jacobian(price, state, free);
    Eigen::VectorXd rhs(static_cast<Eigen::Index>(free.size()));
    for (size_t row = 0; row < free.size(); ++row) {
      rhs(static_cast<Eigen::Index>(row)) = -state.excess[free[row]];
    }
    const Eigen::VectorXd step = jac.partialPivLu().solve(rhs);
    // Backtracking on the largest residual; log-price steps capped at 1.
    double scale = std::min(1.0, 1.0 / std::max(1e-300, step.cwiseAbs().maxCoeff()));
    std::vector<double> trial = price;
    GsimState trial_state;
    for (int halving = 0; halving < 30; ++halving) {
      for (size_t row = 0; row < free.size(); ++row) {
        trial[free[row]] =
            price[free[row]] * std::exp(scale * step(static_cast<Eigen::Index>(row)));
      }
      model.Evaluate(trial, trial_state);
      if (MaxAbs(trial_state.excess) < residual || halving == 29) break;
      scale /= 2;
    }
    price = trial;
    state = std::move(trial_state);
    residual = MaxAbs(state.excess);
  }
  result.iterations = iteration;
  result.max_residual = residual;
  if (residual <= options.tolerance || free.empty()) {
    result.termination = Termination::kConverged;
    result.message =
        fmt::format("converged in {} Newton iterations, max residual {:.3g}", iteration, residual);
  } else {
    result.termination = Termination::kMaxIterations;
    result.message = fmt::format("not converged after {} Newton iterations, max residual {:.3g}",
                                 iteration, residual);
  }
  result.world_price = price;
  result.trade1.assign(num_importers * num_exporters, 0.0);
  result.price_index = state.price_index;
  result.consumer_surplus.assign(num_importers, 0.0);
  result.revenue0.assign(num_importers, 0.0);
  result.revenue1.assign(num_importers, 0.0);
  result.producer_surplus.assign(num_exporters, 0.0);
  for (size_t imp = 0; imp < num_importers; ++imp) {
    for (size_t exp = 0; exp < num_exporters; ++exp) {
      const size_t pair = imp * num_exporters + exp;
      result.trade1[pair] = price[exp] * state.quantity[pair];
      result.revenue0[imp] += product.tariff0[pair] * product.trade[pair];
      result.revenue1[imp] += product.tariff1[pair] * result.trade1[pair];
    }
    // CS change under the composite demand Q = Q0 P^eps, with Q0 P0 the base
    // expenditure at domestic prices: -E0 (P^(1+eps) - 1) / (1+eps).
    const double eps = product.import_demand[imp];
    const double index = state.price_index[imp];
    const double e0 = model.expenditure0(imp);
    result.consumer_surplus[imp] = std::abs(1 + eps) < 1e-12
                                       ? -e0 * std::log(index)
                                       : -e0 * (std::pow(index, 1 + eps) - 1) / (1 + eps);
  }
  for (size_t exp = 0; exp < num_exporters; ++exp) {
    const double eta = product.export_supply[exp];
    if (std::isinf(eta)) continue;
    // PS change under X = X0 p^eta: X0 (p^(1+eta) - 1) / (1+eta).
    result.producer_surplus[exp] =
        model.supply0(exp) * (std::pow(price[exp], 1 + eta) - 1) / (1 + eta);
  }
  return result;
}

}  // namespace mizani::pe
