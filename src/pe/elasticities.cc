// Elasticity tables: Broda and Weinstein (2006) substitution elasticities by
// importer and HS 3-digit group, CEPII ProTEE (Fontagne, Guimbard and Orefice
// 2022) tariff elasticities at HS6. Provenance: trade_elasticities/SOURCE.md.
#include <fmt/format.h>

#include <cmath>
#include <span>

#include "mizani/error.h"
#include "mizani/pe.h"
#include "mizani/read.h"

namespace mizani::pe {

namespace {

// Broda-Weinstein estimates run to 16,808 (SOURCE.md): values above this are
// treated as not identified rather than used as near-perfect substitutes.
constexpr double kBrodaWeinsteinMax = 100.0;

std::string PadCode(const std::string& code, size_t width) {
  if (code.size() >= width) return code;
  return std::string(width - code.size(), '0') + code;
}

}  // namespace

void ElasticityTables::LoadBrodaWeinstein(const std::string& path) {
  ReadOptions options;
  options.columns = {"iso3c", "HS0_3d", "sigma"};
  options.string_columns = {"iso3c", "HS0_3d"};
  const Table table = ReadTable(path, options);
  const Column& iso = table.Get("iso3c");
  const Column& hs3 = table.Get("HS0_3d");
  const std::span<const double> sigma = RequireNumeric(table, "sigma");
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    if (iso.IsMissing(row_idx) || hs3.IsMissing(row_idx) || std::isnan(sigma[row_idx])) continue;
    if (sigma[row_idx] <= 1) {
      throw Error(
          ErrorCode::kBadData,
          fmt::format("{}: Broda-Weinstein sigma {} must be > 1",
                      Where(path, static_cast<int64_t>(row_idx) + 1, "sigma"), sigma[row_idx]));
    }
    bw_[iso.CellText(row_idx) + ":" + PadCode(hs3.CellText(row_idx), 3)] = sigma[row_idx];
  }
}

void ElasticityTables::LoadProtee(const std::string& path) {
  ReadOptions options;
  options.columns = {"HS6", "sigma"};
  options.string_columns = {"HS6"};
  const Table table = ReadTable(path, options);
  const Column& hs6 = table.Get("HS6");
  const std::span<const double> sigma = RequireNumeric(table, "sigma");
  for (size_t row_idx = 0; row_idx < table.num_rows; ++row_idx) {
    if (hs6.IsMissing(row_idx) || std::isnan(sigma[row_idx])) continue;  // no estimate
    if (sigma[row_idx] >= 0) {
      throw Error(
          ErrorCode::kBadData,
          fmt::format("{}: ProTEE elasticity {} must be < 0",
                      Where(path, static_cast<int64_t>(row_idx) + 1, "sigma"), sigma[row_idx]));
    }
    protee_[PadCode(hs6.CellText(row_idx), 6)] = sigma[row_idx];
  }
}

bool ElasticityTables::BrodaWeinstein(const std::string& iso3, const std::string& hs6,
                                      Elasticity* out) const {
  if (hs6.size() < 3) return false;
  const std::string group = hs6.substr(0, 3);
  const auto found = bw_.find(iso3 + ":" + group);
  if (found == bw_.end() || found->second > kBrodaWeinsteinMax) return false;
  *out = {found->second, ElasticitySource::kBrodaWeinstein,
          fmt::format("{} HS3 {} (Broda-Weinstein 2006)", iso3, group)};
  return true;
}

bool ElasticityTables::Protee(const std::string& hs6, Elasticity* out) const {
  const auto found = protee_.find(hs6);
  if (found == protee_.end()) return false;
  *out = {-found->second, ElasticitySource::kProtee,
          fmt::format("|ProTEE| HS6 {} = {:.3f} (Fontagne et al. 2022)", hs6, -found->second)};
  return true;
}

}  // namespace mizani::pe
