// Model specification in fixest's formula syntax:
//   trade ~ log(DIST) + CNTG + LANG + CLNY | exporter^year + importer^year
// Left of `~` the outcome (optionally log(); for OLS), between `~` and `|`
// the regressors (a column, log(col), or a product a:b of numeric columns),
// after `|` the fixed-effect dimensions separated by `+`, each one column or
// an interaction `a^b^c`. Without `|` the model has an intercept.
#pragma once

#include <string>
#include <vector>

namespace mizani {

enum class Transform { kNone, kLog };

struct Term {
  std::vector<std::string> columns;  // one column, or several for a product a:b
  Transform transform = Transform::kNone;
  std::string label;  // as the user wrote it, normalised: "log(DIST)"
};

struct Formula {
  Term outcome;
  std::vector<Term> regressors;
  std::vector<std::vector<std::string>> fixed_effects;  // each: columns interacted with ^
  std::string text;

  // Every column the model reads (outcome, regressors, fixed effects).
  std::vector<std::string> Columns() const;
  static std::string FixedEffectLabel(const std::vector<std::string>& columns);
};

// Throws Error(kBadModel) with the position of the problem in the text.
Formula ParseFormula(const std::string& text);

}  // namespace mizani
