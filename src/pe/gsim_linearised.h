// GSIM linearised in percent changes (Francois and Hall 2003), the system the
// GSIM spreadsheet solves; SolveGsim calls it for GsimSolution::kLinearised.
#pragma once

#include "mizani/pe.h"

namespace mizani::pe {

// `product` has been checked (CheckGsimProduct). One linear solve for the
// world price changes; welfare by GSIM's second-order formulas.
GsimResult SolveGsimLinearised(const GsimProduct& product, const GsimOptions& options);

}  // namespace mizani::pe
