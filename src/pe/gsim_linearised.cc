// GSIM linearised (Francois and Hall 2003, the GSIM spreadsheet): every
// relation is written in percent changes around the baseline, so the world
// price changes x solve one linear system. docs/pe.md, "GSIM linearised".
//
// With theta_ie the importer's expenditure shares at domestic prices, phi_ie
// the exporter's sales shares at world prices and dT_ie = (1 + t1)/(1 + t0) - 1,
// the quantity of e sold in i changes by
//   m_ie = -sigma (dT_ie + x_e) + (eps_i + sigma) sum_k theta_ik (dT_ik + x_k)
// (own-price elasticity theta eps - (1 - theta) sigma, cross-price
// theta_k (eps + sigma)), and each exporter with finite supply clears
//   sum_i phi_ie m_ie = eta_e x_e.
#include "pe/gsim_linearised.h"

#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

namespace mizani::pe {

namespace {

using Index = Eigen::Index;

Index At(size_t value) { return static_cast<Index>(value); }

double Sign(double value) { return static_cast<double>((value > 0) - (value < 0)); }

struct Shares {
  std::vector<double> theta;        // per pair, importer's expenditure share
  std::vector<double> phi;          // per pair, exporter's sales share
  std::vector<double> shock;        // per pair, dT
  std::vector<double> expenditure;  // per importer, at domestic prices
  std::vector<double> supply;       // per exporter, at world prices
};

Shares BaseShares(const GsimProduct& p) {
  const size_t num_importers = p.importers.size();
  const size_t num_exporters = p.exporters.size();
  Shares s;
  s.theta.assign(p.trade.size(), 0.0);
  s.phi.assign(p.trade.size(), 0.0);
  s.shock.assign(p.trade.size(), 0.0);
  s.expenditure.assign(num_importers, 0.0);
  s.supply.assign(num_exporters, 0.0);
  for (size_t imp = 0; imp < num_importers; ++imp) {
    for (size_t exp = 0; exp < num_exporters; ++exp) {
      const size_t pair = imp * num_exporters + exp;
      s.expenditure[imp] += p.trade[pair] * (1 + p.tariff0[pair]);
      s.supply[exp] += p.trade[pair];
      s.shock[pair] = (1 + p.tariff1[pair]) / (1 + p.tariff0[pair]) - 1;
    }
  }
  for (size_t imp = 0; imp < num_importers; ++imp) {
    for (size_t exp = 0; exp < num_exporters; ++exp) {
      const size_t pair = imp * num_exporters + exp;
      if (s.expenditure[imp] > 0) {
        s.theta[pair] = p.trade[pair] * (1 + p.tariff0[pair]) / s.expenditure[imp];
      }
      if (s.supply[exp] > 0) s.phi[pair] = p.trade[pair] / s.supply[exp];
    }
  }
  return s;
}

// Percent change of each pair's quantity at world price changes x.
std::vector<double> QuantityChanges(const GsimProduct& p, const Shares& s,
                                    const std::vector<double>& x) {
  const size_t num_exporters = p.exporters.size();
  std::vector<double> m(p.trade.size(), 0.0);
  for (size_t imp = 0; imp < p.importers.size(); ++imp) {
    double composite = 0;  // sum_k theta_ik (dT_ik + x_k)
    for (size_t k = 0; k < num_exporters; ++k) {
      const size_t pair = imp * num_exporters + k;
      composite += s.theta[pair] * (s.shock[pair] + x[k]);
    }
    for (size_t exp = 0; exp < num_exporters; ++exp) {
      const size_t pair = imp * num_exporters + exp;
      m[pair] = -p.substitution * (s.shock[pair] + x[exp]) +
                (p.import_demand[imp] + p.substitution) * composite;
    }
  }
  return m;
}

}  // namespace

GsimResult SolveGsimLinearised(const GsimProduct& product, const GsimOptions& options) {
  const size_t num_importers = product.importers.size();
  const size_t num_exporters = product.exporters.size();
  const double sigma = product.substitution;
  const Shares s = BaseShares(product);
  // Exporters whose price moves: finite supply elasticity and some sales.
  std::vector<size_t> free;
  for (size_t exp = 0; exp < num_exporters; ++exp) {
    if (!std::isinf(product.export_supply[exp]) && s.supply[exp] > 0) free.push_back(exp);
  }
  // A x = b over the free exporters: the market-clearing rows with the
  // shocks moved to the right-hand side.
  Eigen::MatrixXd a = Eigen::MatrixXd::Zero(At(free.size()), At(free.size()));
  Eigen::VectorXd b = Eigen::VectorXd::Zero(At(free.size()));
  const std::vector<double> at_zero =
      QuantityChanges(product, s, std::vector<double>(num_exporters, 0.0));
  for (size_t row = 0; row < free.size(); ++row) {
    const size_t e = free[row];
    for (size_t imp = 0; imp < num_importers; ++imp) {
      const size_t pair = imp * num_exporters + e;
      const double phi = s.phi[pair];
      if (phi <= 0) continue;
      b(At(row)) -= phi * at_zero[pair];
      const double coef = product.import_demand[imp] + sigma;
      for (size_t col = 0; col < free.size(); ++col) {
        a(At(row), At(col)) += phi * coef * s.theta[imp * num_exporters + free[col]];
      }
      a(At(row), At(row)) -= phi * sigma;
    }
    a(At(row), At(row)) -= product.export_supply[e];
  }
  std::vector<double> x(num_exporters, 0.0);
  GsimResult result;
  result.solution = GsimSolution::kLinearised;
  bool solved = true;
  if (!free.empty()) {
    const Eigen::FullPivLU<Eigen::MatrixXd> lu(a);
    solved = lu.isInvertible();
    if (solved) {
      const Eigen::VectorXd solution = lu.solve(b);
      for (size_t row = 0; row < free.size(); ++row) x[free[row]] = solution(At(row));
    }
  }
  const std::vector<double> m = QuantityChanges(product, s, x);
  // Residual of market clearing, per unit of baseline supply.
  double residual = 0;
  for (const size_t e : free) {
    double demand = 0;
    for (size_t imp = 0; imp < num_importers; ++imp) {
      const size_t pair = imp * num_exporters + e;
      demand += s.phi[pair] * m[pair];
    }
    residual = std::max(residual, std::abs(demand - product.export_supply[e] * x[e]));
  }
  result.iterations = free.empty() ? 0 : 1;
  result.max_residual = residual;
  if (solved && std::isfinite(residual) && residual <= options.tolerance) {
    result.termination = Termination::kConverged;
    result.message = fmt::format(
        "linearised (GSIM as published): one linear solve, max residual {:.3g}", residual);
  } else {
    result.termination = Termination::kNumericalFailure;
    result.message =
        solved ? fmt::format("linearised: the linear solve left residual {:.3g}", residual)
               : "linearised: the market-clearing system is singular";
  }
  result.world_price.assign(num_exporters, 1.0);
  for (size_t exp = 0; exp < num_exporters; ++exp) result.world_price[exp] = 1 + x[exp];
  result.trade1.assign(product.trade.size(), 0.0);
  result.price_index.assign(num_importers, 1.0);
  result.consumer_surplus.assign(num_importers, 0.0);
  result.revenue0.assign(num_importers, 0.0);
  result.revenue1.assign(num_importers, 0.0);
  result.producer_surplus.assign(num_exporters, 0.0);
  for (size_t imp = 0; imp < num_importers; ++imp) {
    double composite = 0;  // dP_i, the composite price change at domestic prices
    for (size_t exp = 0; exp < num_exporters; ++exp) {
      const size_t pair = imp * num_exporters + exp;
      // Value at the new world price of the new quantity (GSIM's M1).
      result.trade1[pair] = product.trade[pair] * (1 + m[pair]) * (1 + x[exp]);
      result.revenue0[imp] += product.tariff0[pair] * product.trade[pair];
      result.revenue1[imp] += product.tariff1[pair] * result.trade1[pair];
      composite += s.theta[pair] * ((1 + x[exp]) * (1 + s.shock[pair]) - 1);
    }
    result.price_index[imp] = 1 + composite;
    // GSIM's consumer surplus: the rectangle -R0 dP and a triangle
    // 0.5 R0 dP^2 eps signed by the price change (R0 the base expenditure).
    const double r0 = s.expenditure[imp];
    result.consumer_surplus[imp] =
        0.5 * r0 * composite * composite * Sign(composite) * product.import_demand[imp] -
        r0 * composite;
  }
  for (size_t exp = 0; exp < num_exporters; ++exp) {
    if (std::isinf(product.export_supply[exp])) continue;
    // X0 x (1 + eta x / 2): the second-order area left of the supply curve.
    result.producer_surplus[exp] =
        s.supply[exp] * x[exp] * (1 + 0.5 * product.export_supply[exp] * x[exp]);
  }
  return result;
}

const char* ToString(GsimSolution solution) {
  return solution == GsimSolution::kLinearised ? "linearised" : "levels";
}

}  // namespace mizani::pe
