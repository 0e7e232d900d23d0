// Small helpers shared by the SQLite stores. Pure or connection-local; no shared state.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "db/sqlite.hpp"

namespace sextant::store::sql {

using SqlValue = std::variant<std::string, double, std::int64_t>;

// SQL text and its bound values built together, so the '?' placeholders stay in order.
struct SqlBuilder {
  std::string text;
  std::vector<SqlValue> binds;
  int alias_counter = 0;

  // A fresh table alias such as "fm0".
  std::string alias(const char* prefix) { return std::string(prefix) + std::to_string(alias_counter++); }
  void add(const std::string& s) { text += s; }
  void value(SqlValue v) {
    text += '?';
    binds.push_back(std::move(v));
  }
  void append(const SqlBuilder& other) {
    text += other.text;
    binds.insert(binds.end(), other.binds.begin(), other.binds.end());
  }
};

// Experiment ids are integers in the schema; anything else cannot name an experiment.
inline std::optional<std::int64_t> parse_experiment_id(const std::string& id) {
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(id.data(), id.data() + id.size(), value);
  if (id.empty() || ec != std::errc() || ptr != id.data() + id.size()) return std::nullopt;
  return value;
}

inline void bind_all(db::Statement& st, const std::vector<SqlValue>& binds, int first = 1) {
  int i = first;
  for (const auto& v : binds) {
    std::visit([&](const auto& x) { st.bind(i, x); }, v);
    ++i;
  }
}

// "?, ?, ?" for an IN list of n values.
inline std::string in_placeholders(std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += i ? ", ?" : "?";
  return s;
}

// Metric value as MLflow stores it: NaN -> (0, is_nan), +-inf -> +-DBL_MAX.
inline std::pair<double, bool> storable_metric(double v) {
  if (std::isnan(v)) return {0.0, true};
  if (std::isinf(v)) return {v > 0 ? std::numeric_limits<double>::max() : -std::numeric_limits<double>::max(), false};
  return {v, false};
}

inline double loaded_metric(double value, std::int64_t is_nan) {
  return is_nan ? std::numeric_limits<double>::quiet_NaN() : value;
}

}  // namespace sextant::store::sql
