#include "mizani/formula.h"

#include <fmt/format.h>

#include <cctype>

#include "mizani/error.h"

namespace mizani {

namespace {

std::string Trim(const std::string& text) {
  size_t begin = 0, end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return text.substr(begin, end - begin);
}

// Splits on `sep` outside parentheses.
std::vector<std::string> SplitTop(const std::string& text, char sep) {
  std::vector<std::string> parts;
  int depth = 0;
  std::string current;
  for (char ch : text) {
    if (ch == '(') ++depth;
    if (ch == ')') --depth;
    if (ch == sep && depth == 0) {
      parts.push_back(current);
      current.clear();
    } else {
      current += ch;
    }
  }
  parts.push_back(current);
  return parts;
}

bool IsIdentifier(const std::string& name) {
  if (name.empty()) return false;
  if (!(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_' || name[0] == '.'))
    return false;
  for (char ch : name) {
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.')) return false;
  }
  return true;
}

[[noreturn]] void Fail(const std::string& formula, const std::string& what) {
  throw Error(ErrorCode::kBadModel, fmt::format("formula '{}': {}", formula, what));
}

Term ParseTerm(const std::string& raw, const std::string& formula) {
  const std::string text = Trim(raw);
  Term term;
  if (text.empty()) Fail(formula, "empty term (check for a doubled '+')");
  std::string inner = text;
  if (text.rfind("log(", 0) == 0) {
    if (text.back() != ')') Fail(formula, fmt::format("unbalanced parenthesis in '{}'", text));
    inner = Trim(text.substr(4, text.size() - 5));
    term.transform = Transform::kLog;
  } else if (text.find('(') != std::string::npos) {
    Fail(formula, fmt::format("unsupported function in '{}': only log() is available", text));
  }
  for (const std::string& part : SplitTop(inner, ':')) {
    const std::string name = Trim(part);
    if (!IsIdentifier(name)) Fail(formula, fmt::format("'{}' is not a column name", name));
    term.columns.push_back(name);
  }
  std::string joined;
  for (size_t idx = 0; idx < term.columns.size(); ++idx)
    joined += (idx ? ":" : "") + term.columns[idx];
  term.label = term.transform == Transform::kLog ? "log(" + joined + ")" : joined;
  return term;
}

}  // namespace

std::string Formula::FixedEffectLabel(const std::vector<std::string>& columns) {
  std::string label;
  for (size_t idx = 0; idx < columns.size(); ++idx) label += (idx ? "^" : "") + columns[idx];
  return label;
}

std::vector<std::string> Formula::Columns() const {
  std::vector<std::string> out;
  auto add = [&out](const std::string& name) {
    for (const auto& existing : out) {
      if (existing == name) return;
    }
    out.push_back(name);
  };
  for (const auto& name : outcome.columns) add(name);
  for (const auto& term : regressors) {
    for (const auto& name : term.columns) add(name);
  }
  for (const auto& fe : fixed_effects) {
    for (const auto& name : fe) add(name);
  }
  return out;
}

Formula ParseFormula(const std::string& text) {
  Formula formula;
  formula.text = Trim(text);
  const size_t tilde = formula.text.find('~');
  if (tilde == std::string::npos) Fail(text, "missing '~' between the outcome and the regressors");
  formula.outcome = ParseTerm(formula.text.substr(0, tilde), text);
  if (formula.outcome.columns.size() != 1) Fail(text, "the outcome must be a single column");
  std::string rest = formula.text.substr(tilde + 1);
  std::vector<std::string> sides = SplitTop(rest, '|');
  if (sides.size() > 2) Fail(text, "more than one '|'");
  const std::string rhs = Trim(sides[0]);
  if (!rhs.empty() && rhs != "1" && rhs != "0") {
    for (const std::string& part : SplitTop(rhs, '+')) {
      Term term = ParseTerm(part, text);
      for (const auto& existing : formula.regressors) {
        if (existing.label == term.label) Fail(text, fmt::format("'{}' appears twice", term.label));
      }
      formula.regressors.push_back(std::move(term));
    }
  }
  if (sides.size() == 2) {
    const std::string fe_text = Trim(sides[1]);
    if (fe_text.empty()) Fail(text, "no fixed effects after '|'");
    for (const std::string& part : SplitTop(fe_text, '+')) {
      std::vector<std::string> columns;
      for (const std::string& piece : SplitTop(part, '^')) {
        const std::string name = Trim(piece);
        if (!IsIdentifier(name))
          Fail(text, fmt::format("'{}' is not a column name in the fixed effects", name));
        columns.push_back(name);
      }
      formula.fixed_effects.push_back(std::move(columns));
    }
  }
  return formula;
}

}  // namespace mizani
