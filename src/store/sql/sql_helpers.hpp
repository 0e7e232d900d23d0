// Small helpers shared by the SQL stores. Pure or connection-local; no shared state.
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

#include "db/connection.hpp"

namespace sextant::store::sql {

using SqlValue = std::variant<std::string, double, std::int64_t>;

// SQL text and its bound values built together, so the '?' placeholders stay in order.
struct SqlBuilder {
  explicit SqlBuilder(const db::Dialect& d = db::sqlite_dialect()) : dialect(&d) {}
  const db::Dialect* dialect;
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
  // "<column> LIKE ?" as MLflow means it: case-sensitive, or case-insensitive for ILIKE.
  void like(const std::string& column, std::string pattern, bool case_insensitive) {
    text += case_insensitive ? dialect->ilike(column, "?") : dialect->like(column, "?");
    binds.push_back(std::move(pattern));
  }
  // What "<column> IN ()" means: false (NOT IN (): true).
  void empty_list(bool in) { text += in ? "1 = 0" : "1 = 1"; }
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

// "(?, ?, ?), (?, ?, ?)": `rows` rows of `columns` placeholders.
inline std::string row_placeholders(std::size_t rows, std::size_t columns) {
  std::string row = "(" + in_placeholders(columns) + ")";
  std::string s;
  for (std::size_t i = 0; i < rows; ++i) s += i ? ", " + row : row;
  return s;
}

// Inserts `count` rows with multi-row statements: chunks of 128, 64, ... 1 rows, so that a
// connection caches at most eight statements per table. `sql(n)` is the statement for n rows;
// `bind(st, first, row)` binds row number `row` from placeholder `first` on and returns the next
// placeholder number.
template <typename Sql, typename Bind>
void insert_rows(db::Connection& conn, std::size_t count, Sql&& sql, Bind&& bind) {
  constexpr std::size_t kMaxRows = 128;
  std::size_t row = 0;
  while (row < count) {
    std::size_t n = kMaxRows;
    while (n > count - row) n /= 2;
    auto& st = conn.cached(sql(n));
    int next = 1;
    for (std::size_t k = 0; k < n; ++k) next = bind(st, next, row + k);
    st.run();
    row += n;
  }
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
