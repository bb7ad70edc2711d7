// Strict reading of the rating TOML files (methodology and `mizani rate`
// configuration): unknown keys and wrong types are errors naming the file,
// line and key, with the exit code of an invalid scenario file.
#pragma once

#include <fmt/format.h>
#include <toml++/toml.h>

#include <fstream>
#include <initializer_list>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "mizani/error.h"

namespace mizani::rating::internal {

class TomlReader {
 public:
  explicit TomlReader(std::string file) : file_(std::move(file)) {}

  // Parses the file; throws Error(kFileUnreadable) or Error(kBadScenario).
  toml::table Parse() const {
    std::ifstream in(file_, std::ios::binary);
    if (!in) throw Error(ErrorCode::kFileUnreadable, fmt::format("cannot read {}", file_));
    std::stringstream text;
    text << in.rdbuf();
    try {
      return toml::parse(text.str(), file_);
    } catch (const toml::parse_error& error) {
      throw Error(ErrorCode::kBadScenario,
                  fmt::format("{}:{}:{}: invalid TOML: {}", file_, error.source().begin.line,
                              error.source().begin.column, error.description()));
    }
  }

  [[noreturn]] void Fail(const toml::node& node, const std::string& key,
                         const std::string& message) const {
    throw Error(ErrorCode::kBadScenario,
                fmt::format("{}:{}: key '{}': {}", file_, node.source().begin.line, key, message));
  }

  void CheckKeys(const toml::table& table, const std::string& path,
                 std::initializer_list<const char*> allowed) const {
    for (const auto& [key, node] : table) {
      bool known = false;
      for (const char* name : allowed) known = known || key.str() == name;
      if (!known) {
        std::string list;
        for (const char* name : allowed) list += (list.empty() ? "" : ", ") + std::string(name);
        Fail(node, Join(path, std::string(key.str())),
             fmt::format("unknown key (expected one of: {})", list));
      }
    }
  }

  std::optional<std::string> String(const toml::table& table, const std::string& path,
                                    const char* key) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return std::nullopt;
    if (!node->is_string()) Fail(*node, Join(path, key), "expected a string");
    return node->as_string()->get();
  }

  std::optional<double> Number(const toml::table& table, const std::string& path,
                               const char* key) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return std::nullopt;
    if (node->is_integer()) return static_cast<double>(node->as_integer()->get());
    if (!node->is_floating_point()) Fail(*node, Join(path, key), "expected a number");
    return node->as_floating_point()->get();
  }

  std::optional<int64_t> Integer(const toml::table& table, const std::string& path,
                                 const char* key) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return std::nullopt;
    if (!node->is_integer()) Fail(*node, Join(path, key), "expected an integer");
    return node->as_integer()->get();
  }

  // An integer within [low, high], as an int: a value outside is an error
  // naming the key and the range, never a silent narrowing (a year of 214749
  // would overflow the YYYYMMDD dates the panel compares).
  std::optional<int> IntegerIn(const toml::table& table, const std::string& path, const char* key,
                               int low, int high) const {
    const auto value = Integer(table, path, key);
    if (!value) return std::nullopt;
    if (*value < low || *value > high) {
      Fail(*table.get(key), Join(path, key),
           fmt::format("must be between {} and {}, got {}", low, high, *value));
    }
    return static_cast<int>(*value);
  }

  std::optional<bool> Bool(const toml::table& table, const std::string& path,
                           const char* key) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) return std::nullopt;
    if (!node->is_boolean()) Fail(*node, Join(path, key), "expected true or false");
    return node->as_boolean()->get();
  }

  std::vector<std::string> Strings(const toml::table& table, const std::string& path,
                                   const char* key) const {
    std::vector<std::string> values;
    const toml::node* node = table.get(key);
    if (node == nullptr) return values;
    const toml::array* array = node->as_array();
    if (array == nullptr) Fail(*node, Join(path, key), "expected an array of strings");
    for (const toml::node& element : *array) {
      if (!element.is_string()) Fail(element, Join(path, key), "expected an array of strings");
      values.push_back(element.as_string()->get());
    }
    return values;
  }

  // The tables of an array of tables ([[name]]); empty when absent.
  std::vector<const toml::table*> Tables(const toml::table& table, const std::string& path,
                                         const char* key) const {
    std::vector<const toml::table*> tables;
    const toml::node* node = table.get(key);
    if (node == nullptr) return tables;
    const toml::array* array = node->as_array();
    if (array == nullptr) Fail(*node, Join(path, key), fmt::format("expected [[{}]] tables", key));
    for (const toml::node& element : *array) {
      if (!element.is_table())
        Fail(element, Join(path, key), fmt::format("expected [[{}]] tables", key));
      tables.push_back(element.as_table());
    }
    return tables;
  }

  const std::string& file() const { return file_; }

  static std::string Join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

 private:
  std::string file_;
};

}  // namespace mizani::rating::internal
