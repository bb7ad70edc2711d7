// The country table behind Iso3ForName and FindCountry (country_names.cc).
#pragma once

#include <vector>

#include "mizani/rating.h"

namespace mizani::rating {

struct NameVariant {
  const char* spelling;
  const char* iso3;
};

// Canonical names, sorted by ISO3.
const std::vector<CountryInfo>& CountryTable();
// Other spellings found in the data files.
const std::vector<NameVariant>& NameVariants();

}  // namespace mizani::rating
