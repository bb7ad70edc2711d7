// Input checks shared by SMART, GSIM and the scenario reader: each throws a
// mizani::Error naming where the value came from (`where`).
#pragma once

#include <cmath>
#include <string>

#include "mizani/pe.h"

namespace mizani::pe {

// A trade value or rate that every check below accepts: finite and >= 0.
inline bool ValidAmount(double value) { return std::isfinite(value) && value >= 0; }

// Import demand elasticity: finite and < 0 (kBadScenario).
void CheckImportDemand(double value, const std::string& where);
// Substitution elasticity between suppliers: finite and > 0 (kBadScenario).
void CheckSubstitution(double value, const std::string& where);
// Export supply elasticity: > 0, infinity allowed (kBadScenario).
void CheckExportSupply(double value, const std::string& where);
// Trade value: finite and >= 0 (kBadData).
void CheckTrade(double value, const std::string& where);
// Tariff or ad-valorem equivalent (a fraction): finite and >= 0 (kBadData).
void CheckRate(double value, const std::string& where, const std::string& what);
// A GSIM product: array sizes (kBadScenario), elasticities, trade and tariffs.
void CheckGsimProduct(const GsimProduct& product);

}  // namespace mizani::pe
