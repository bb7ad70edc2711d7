#include "pe/checks.h"

#include <fmt/format.h>

#include <cmath>

#include "mizani/error.h"

namespace mizani::pe {

void CheckImportDemand(double value, const std::string& where) {
  if (!std::isfinite(value) || value >= 0) {
    throw Error(ErrorCode::kBadScenario,
                fmt::format("{}: import demand elasticity {} has the wrong sign (must be < 0: "
                            "imports fall when their price rises)",
                            where, value));
  }
}

void CheckSubstitution(double value, const std::string& where) {
  if (!std::isfinite(value) || value <= 0) {
    throw Error(
        ErrorCode::kBadScenario,
        fmt::format("{}: substitution elasticity {} must be a finite number > 0", where, value));
  }
}

void CheckExportSupply(double value, const std::string& where) {
  if (std::isnan(value) || value <= 0) {
    throw Error(
        ErrorCode::kBadScenario,
        fmt::format("{}: export supply elasticity {} must be > 0 (or \"inf\")", where, value));
  }
}

void CheckTrade(double value, const std::string& where) {
  if (!std::isfinite(value) || value < 0) {
    throw Error(ErrorCode::kBadData,
                fmt::format("{}: trade value {} must be a finite number >= 0", where, value));
  }
}

void CheckRate(double value, const std::string& where, const std::string& what) {
  if (!std::isfinite(value) || value < 0) {
    throw Error(ErrorCode::kBadData,
                fmt::format("{}: {} {} must be a finite rate >= 0", where, what, value));
  }
}

void CheckGsimProduct(const GsimProduct& product) {
  const size_t num_importers = product.importers.size();
  const size_t num_exporters = product.exporters.size();
  const size_t num_pairs = num_importers * num_exporters;
  const std::string where = fmt::format("GSIM product {}", product.product);
  if (product.trade.size() != num_pairs || product.tariff0.size() != num_pairs ||
      product.tariff1.size() != num_pairs || product.import_demand.size() != num_importers ||
      product.export_supply.size() != num_exporters) {
    throw Error(ErrorCode::kBadScenario,
                fmt::format("{}: {} importers x {} exporters, but the trade, tariff or "
                            "elasticity arrays have other sizes",
                            where, num_importers, num_exporters));
  }
  CheckSubstitution(product.substitution, where);
  if (std::abs(product.substitution - 1) < 1e-9) {
    throw Error(ErrorCode::kBadScenario,
                fmt::format("{}: substitution elasticity 1 (Cobb-Douglas) is not supported; use "
                            "a value away from 1",
                            where));
  }
  for (size_t imp = 0; imp < num_importers; ++imp) {
    CheckImportDemand(product.import_demand[imp],
                      fmt::format("{} importer {}", where, product.importers[imp]));
  }
  for (size_t exp = 0; exp < num_exporters; ++exp) {
    CheckExportSupply(product.export_supply[exp],
                      fmt::format("{} exporter {}", where, product.exporters[exp]));
  }
  for (size_t imp = 0; imp < num_importers; ++imp) {
    for (size_t exp = 0; exp < num_exporters; ++exp) {
      const size_t pair = imp * num_exporters + exp;
      if (ValidAmount(product.trade[pair]) && ValidAmount(product.tariff0[pair]) &&
          ValidAmount(product.tariff1[pair])) {
        continue;
      }
      const std::string pair_where = fmt::format("{} importer {} exporter {}", where,
                                                 product.importers[imp], product.exporters[exp]);
      CheckTrade(product.trade[pair], pair_where);
      CheckRate(product.tariff0[pair], pair_where, "baseline tariff");
      CheckRate(product.tariff1[pair], pair_where, "scenario tariff");
    }
  }
}

}  // namespace mizani::pe
