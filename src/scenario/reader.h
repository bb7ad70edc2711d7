// The TOML reader of scenario files (parse.cc) and the view of one
// [[shocks]] table that each shock kind parses its own keys from
// (src/scenario/shocks/<kind>.cc).
#pragma once

#include <fmt/format.h>
#include <toml++/toml.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mizani/error.h"
#include "mizani/scenario.h"

namespace mizani::scenario_parse {

// Reads typed values out of toml++ nodes and turns every mismatch into an
// Error(kBadScenario) that points at the offending line.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  SourceRef Ref(const toml::node& node, const std::string& key) const {
    SourceRef ref;
    ref.file = file_;
    ref.line = static_cast<int>(node.source().begin.line);
    ref.column = static_cast<int>(node.source().begin.column);
    ref.key = key;
    return ref;
  }

  [[noreturn]] void Fail(const SourceRef& where, const std::string& message) const {
    throw Error(ErrorCode::kBadScenario, fmt::format("{}: {}", where.Describe(), message));
  }

  // Unknown keys are almost always typos ("sigam"); reject them.
  void CheckKeys(const toml::table& table, const std::string& path,
                 const std::vector<std::string>& allowed) const {
    for (auto&& [key, node] : table) {
      bool known = false;
      for (const std::string& name : allowed) known = known || key.str() == name;
      if (!known) {
        std::string list;
        for (const std::string& name : allowed) list += (list.empty() ? "" : ", ") + name;
        SourceRef where = Ref(node, Join(path, std::string(key.str())));
        // Point at the key itself rather than its value.
        where.line = static_cast<int>(key.source().begin.line);
        where.column = static_cast<int>(key.source().begin.column);
        Fail(where, fmt::format("unknown key '{}'; expected one of: {}", key.str(), list));
      }
    }
  }

  static std::string Join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

  const toml::node* Find(const toml::table& table, const char* key) const { return table.get(key); }

  std::optional<std::string> String(const toml::table& table, const std::string& path,
                                    const char* key) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return std::nullopt;
    if (!node->is_string()) Fail(Ref(*node, Join(path, key)), "expected a string");
    return node->value<std::string>();
  }

  std::optional<double> Number(const toml::table& table, const std::string& path,
                               const char* key) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return std::nullopt;
    if (!node->is_number()) Fail(Ref(*node, Join(path, key)), "expected a number");
    const double value = *node->value<double>();
    if (!std::isfinite(value)) Fail(Ref(*node, Join(path, key)), "expected a finite number");
    return value;
  }

  std::optional<int64_t> Integer(const toml::table& table, const std::string& path,
                                 const char* key) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return std::nullopt;
    if (!node->is_integer()) Fail(Ref(*node, Join(path, key)), "expected an integer");
    return node->value<int64_t>();
  }

  // An integer within [low, high], as an int: a value outside is an error
  // naming the key and the range, never a silent narrowing.
  std::optional<int> IntegerIn(const toml::table& table, const std::string& path, const char* key,
                               int low, int high) const {
    const auto value = Integer(table, path, key);
    if (!value) return std::nullopt;
    if (*value < low || *value > high) {
      Fail(Ref(*table.get(key), Join(path, key)),
           fmt::format("must be between {} and {}, got {}", low, high, *value));
    }
    return static_cast<int>(*value);
  }

  std::optional<bool> Bool(const toml::table& table, const std::string& path,
                           const char* key) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return std::nullopt;
    if (!node->is_boolean()) Fail(Ref(*node, Join(path, key)), "expected true or false");
    return node->value<bool>();
  }

  // A string or an array of strings.
  std::optional<std::vector<std::string>> Strings(const toml::table& table, const std::string& path,
                                                  const char* key) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return std::nullopt;
    return StringsOf(*node, Join(path, key));
  }

  std::vector<std::string> StringsOf(const toml::node& node, const std::string& key) const {
    std::vector<std::string> values;
    if (node.is_string()) {
      values.push_back(*node.value<std::string>());
    } else if (const toml::array* array = node.as_array()) {
      for (const toml::node& element : *array) {
        if (!element.is_string()) {
          Fail(Ref(element, key), "expected a string (a country code, a group name or \"*\")");
        }
        values.push_back(*element.value<std::string>());
      }
    } else {
      Fail(Ref(node, key), "expected a string or an array of strings");
    }
    return values;
  }

  CountrySpec Countries(const toml::node& node, const std::string& key) const {
    CountrySpec spec;
    spec.where = Ref(node, key);
    spec.entries = StringsOf(node, key);
    if (spec.entries.empty()) Fail(spec.where, "expected at least one country or group");
    return spec;
  }

  template <typename Enum, typename Choices = std::initializer_list<std::pair<const char*, Enum>>>
  Enum Choice(const toml::table& table, const std::string& path, const char* key, Enum fallback,
              const Choices& choices) const {
    const auto text = String(table, path, key);
    if (!text) return fallback;
    std::string list;
    for (const auto& [name, value] : choices) {
      if (*text == name) return value;
      list += (list.empty() ? "\"" : ", \"") + std::string(name) + "\"";
    }
    Fail(Ref(*table.get(key), Join(path, key)),
         fmt::format("'{}' is not a valid value; expected one of {}", *text, list));
  }

  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

// One [[shocks]] table: the TOML, its key path ("shocks[2]") and the reader.
struct ShockKeys {
  const toml::table& table;
  const std::string& path;
  const Reader& reader;
  SourceRef where;  // the table
  // The place of key `key` (which must be present).
  SourceRef Ref(const char* key) const { return reader.Ref(*table.get(key), path + "." + key); }
};

}  // namespace mizani::scenario_parse
