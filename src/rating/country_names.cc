// Country name <-> ISO 3166-1 alpha-3 table for the rating panel.
//
// Every spelling found in the rating-action file (names as written on
// Wikipedia) and in the IMF WEO April 2025 file (World Bank style names) of
// ../shared/data/imf_weo_2025apr maps here; tests/rating check that no name of
// either file is left out. Names are matched after folding (ascii letters and
// digits only, lower case; see NormalizeCountryName), so "Cote d'Ivoire",
// "COTE D IVOIRE" and the file's mangled "C\xc2\x81Ete d'Ivoire" (kept below
// as its ascii letters, "CEte d'Ivoire") all fold to a listed key.
#include "rating/country_names.h"

namespace mizani::rating {

// Sorted by ISO3. `africa` marks the 54 African Union member states that
// appear in the data (and Western Sahara is absent from both files). The
// function is one data table, a row a country: long by nature, nothing to
// split.
const std::vector<CountryInfo>& CountryTable() {  // NOLINT(readability-function-size)
  static const std::vector<CountryInfo> kCountries = {
      {"ABW", "Aruba", false},
      {"AFG", "Afghanistan", false},
      {"AGO", "Angola", true},
      {"ALB", "Albania", false},
      {"AND", "Andorra", false},
      {"ARE", "United Arab Emirates", false},
      {"ARG", "Argentina", false},
      {"ARM", "Armenia", false},
      {"ATG", "Antigua and Barbuda", false},
      {"AUS", "Australia", false},
      {"AUT", "Austria", false},
      {"AZE", "Azerbaijan", false},
      {"BDI", "Burundi", true},
      {"BEL", "Belgium", false},
      {"BEN", "Benin", true},
      {"BFA", "Burkina Faso", true},
      {"BGD", "Bangladesh", false},
      {"BGR", "Bulgaria", false},
      {"BHR", "Bahrain", false},
      {"BHS", "Bahamas", false},
      {"BIH", "Bosnia and Herzegovina", false},
      {"BLR", "Belarus", false},
      {"BLZ", "Belize", false},
      {"BMU", "Bermuda", false},
      {"BOL", "Bolivia", false},
      {"BRA", "Brazil", false},
      {"BRB", "Barbados", false},
      {"BRN", "Brunei Darussalam", false},
      {"BTN", "Bhutan", false},
      {"BWA", "Botswana", true},
      {"CAF", "Central African Republic", true},
      {"CAN", "Canada", false},
      {"CHE", "Switzerland", false},
      {"CHL", "Chile", false},
      {"CHN", "China", false},
      {"CIV", "Cote d'Ivoire", true},
      {"CMR", "Cameroon", true},
      {"COD", "Congo, Dem. Rep.", true},
      {"COG", "Congo, Rep.", true},
      {"COK", "Cook Islands", false},
      {"COL", "Colombia", false},
      {"COM", "Comoros", true},
      {"CPV", "Cabo Verde", true},
      {"CRI", "Costa Rica", false},
      {"CUB", "Cuba", false},
      {"CUW", "Curacao", false},
      {"CYM", "Cayman Islands", false},
      {"CYP", "Cyprus", false},
      {"CZE", "Czech Republic", false},
      {"DEU", "Germany", false},
      {"DJI", "Djibouti", true},
      {"DMA", "Dominica", false},
      {"DNK", "Denmark", false},
      {"DOM", "Dominican Republic", false},
      {"DZA", "Algeria", true},
      {"ECU", "Ecuador", false},
      {"EGY", "Egypt", true},
      {"ERI", "Eritrea", true},
      {"ESP", "Spain", false},
      {"EST", "Estonia", false},
      {"ETH", "Ethiopia", true},
      {"EUU", "European Union", false},
      {"FIN", "Finland", false},
      {"FJI", "Fiji", false},
      {"FLK", "Falkland Islands", false},
      {"FRA", "France", false},
      {"FSM", "Micronesia", false},
      {"GAB", "Gabon", true},
      {"GBR", "United Kingdom", false},
      {"GEO", "Georgia", false},
      {"GGY", "Guernsey", false},
      {"GHA", "Ghana", true},
      {"GIN", "Guinea", true},
      {"GMB", "Gambia", true},
      {"GNB", "Guinea-Bissau", true},
      {"GNQ", "Equatorial Guinea", true},
      {"GRC", "Greece", false},
      {"GRD", "Grenada", false},
      {"GTM", "Guatemala", false},
      {"GUY", "Guyana", false},
      {"HKG", "Hong Kong", false},
      {"HND", "Honduras", false},
      {"HRV", "Croatia", false},
      {"HTI", "Haiti", false},
      {"HUN", "Hungary", false},
      {"IDN", "Indonesia", false},
      {"IMN", "Isle of Man", false},
      {"IND", "India", false},
      {"IRL", "Ireland", false},
      {"IRN", "Iran", false},
      {"IRQ", "Iraq", false},
      {"ISL", "Iceland", false},
      {"ISR", "Israel", false},
      {"ITA", "Italy", false},
      {"JAM", "Jamaica", false},
      {"JEY", "Jersey", false},
      {"JOR", "Jordan", false},
      {"JPN", "Japan", false},
      {"KAZ", "Kazakhstan", false},
      {"KEN", "Kenya", true},
      {"KGZ", "Kyrgyzstan", false},
      {"KHM", "Cambodia", false},
      {"KIR", "Kiribati", false},
      {"KNA", "St. Kitts and Nevis", false},
      {"KOR", "South Korea", false},
      {"KWT", "Kuwait", false},
      {"LAO", "Laos", false},
      {"LBN", "Lebanon", false},
      {"LBR", "Liberia", true},
      {"LBY", "Libya", true},
      {"LCA", "St. Lucia", false},
      {"LIE", "Liechtenstein", false},
      {"LKA", "Sri Lanka", false},
      {"LSO", "Lesotho", true},
      {"LTU", "Lithuania", false},
      {"LUX", "Luxembourg", false},
      {"LVA", "Latvia", false},
      {"MAC", "Macao", false},
      {"MAR", "Morocco", true},
      {"MDA", "Moldova", false},
      {"MDG", "Madagascar", true},
      {"MDV", "Maldives", false},
      {"MEX", "Mexico", false},
      {"MHL", "Marshall Islands", false},
      {"MKD", "North Macedonia", false},
      {"MLI", "Mali", true},
      {"MLT", "Malta", false},
      {"MMR", "Myanmar", false},
      {"MNE", "Montenegro", false},
      {"MNG", "Mongolia", false},
      {"MOZ", "Mozambique", true},
      {"MRT", "Mauritania", true},
      {"MSR", "Montserrat", false},
      {"MUS", "Mauritius", true},
      {"MWI", "Malawi", true},
      {"MYS", "Malaysia", false},
      {"NAM", "Namibia", true},
      {"NER", "Niger", true},
      {"NGA", "Nigeria", true},
      {"NIC", "Nicaragua", false},
      {"NLD", "Netherlands", false},
      {"NOR", "Norway", false},
      {"NPL", "Nepal", false},
      {"NRU", "Nauru", false},
      {"NZL", "New Zealand", false},
      {"OMN", "Oman", false},
      {"PAK", "Pakistan", false},
      {"PAN", "Panama", false},
      {"PER", "Peru", false},
      {"PHL", "Philippines", false},
      {"PLW", "Palau", false},
      {"PNG", "Papua New Guinea", false},
      {"POL", "Poland", false},
      {"PRI", "Puerto Rico", false},
      {"PRT", "Portugal", false},
      {"PRY", "Paraguay", false},
      {"PSE", "West Bank and Gaza", false},
      {"QAT", "Qatar", false},
      {"ROU", "Romania", false},
      {"RUS", "Russia", false},
      {"RWA", "Rwanda", true},
      {"SAU", "Saudi Arabia", false},
      {"SDN", "Sudan", true},
      {"SEN", "Senegal", true},
      {"SGP", "Singapore", false},
      {"SHN", "Saint Helena", false},
      {"SLB", "Solomon Islands", false},
      {"SLE", "Sierra Leone", true},
      {"SLV", "El Salvador", false},
      {"SMR", "San Marino", false},
      {"SOM", "Somalia", true},
      {"SRB", "Serbia", false},
      {"SSD", "South Sudan", true},
      {"STP", "Sao Tome and Principe", true},
      {"SUR", "Suriname", false},
      {"SVK", "Slovakia", false},
      {"SVN", "Slovenia", false},
      {"SWE", "Sweden", false},
      {"SWZ", "Eswatini", true},
      {"SYC", "Seychelles", true},
      {"SYR", "Syria", false},
      {"TCA", "Turks and Caicos Islands", false},
      {"TCD", "Chad", true},
      {"TGO", "Togo", true},
      {"THA", "Thailand", false},
      {"TJK", "Tajikistan", false},
      {"TKM", "Turkmenistan", false},
      {"TLS", "Timor-Leste", false},
      {"TON", "Tonga", false},
      {"TTO", "Trinidad and Tobago", false},
      {"TUN", "Tunisia", true},
      {"TUR", "Turkey", false},
      {"TUV", "Tuvalu", false},
      {"TWN", "Taiwan", false},
      {"TZA", "Tanzania", true},
      {"UGA", "Uganda", true},
      {"UKR", "Ukraine", false},
      {"URY", "Uruguay", false},
      {"USA", "United States", false},
      {"UZB", "Uzbekistan", false},
      {"VCT", "St. Vincent and the Grenadines", false},
      {"VEN", "Venezuela", false},
      {"VNM", "Vietnam", false},
      {"VUT", "Vanuatu", false},
      {"WSM", "Samoa", false},
      {"XKX", "Kosovo", false},
      {"YEM", "Yemen", false},
      {"ZAF", "South Africa", true},
      {"ZMB", "Zambia", true},
      {"ZWE", "Zimbabwe", true},
  };
  return kCountries;
}

// Spellings other than the canonical names above. Each comment says where
// the spelling occurs: R = rating-action file, W = WEO file.
const std::vector<NameVariant>& NameVariants() {
  static const std::vector<NameVariant> kVariants = {
      {"Cape Verde", "CPV"},                        // R, W
      {"Congo", "COG"},                             // R (Republic of the Congo)
      {"Republic of the Congo", "COG"},             // R
      {"Ivory Coast", "CIV"},                       // R
      {"CEte d'Ivoire", "CIV"},                     // R, mangled UTF-8 (0xC2 0x81 for o-circumflex)
      {"Egypt, Arab Rep.", "EGY"},                  // R, W
      {"Gambia, The", "GMB"},                       // W
      {"Iran, Islamic Rep.", "IRN"},                // W
      {"Macau", "MAC"},                             // R, W
      {"Macedonia", "MKD"},                         // R, W
      {"Micronesia, Fed. Sts.", "FSM"},             // W
      {"Solomon Island", "SLB"},                    // R
      {"St Vincent and The Grenadines", "VCT"},     // R
      {"Swaziland", "SWZ"},                         // R
      {"Syrian Arab Republic", "SYR"},              // W
      {"SEEEo TomEEE and PrEEEncipe", "STP"},       // W, mangled UTF-8
      {"Taiwan Province of China", "TWN"},          // W
      {"Yemen, Rep.", "YEM"},                       // W
      {"Russian Federation", "RUS"},                // common alternative
      {"Korea, Rep.", "KOR"},                       // common alternative
      {"Turkiye", "TUR"},                           // common alternative
      {"Czechia", "CZE"},                           // common alternative
      {"Lao PDR", "LAO"},                           // common alternative
      {"Viet Nam", "VNM"},                          // common alternative
      {"Democratic Republic of the Congo", "COD"},  // common alternative
      {"Hong Kong SAR, China", "HKG"},              // common alternative
  };
  return kVariants;
}

}  // namespace mizani::rating
