// Explicit bounds on search requests, checked by the parsers (and by api/ for order_by lists) so
// that an over-large query is a 400 naming the limit rather than a database error (SQLite joins
// at most 64 tables, MySQL 61; SQLite's expression depth is 1000; bind variables are bounded)
// or a parser's memory growing with the input. Same limits on every backend.
#pragma once

#include <cstddef>
#include <string>

#include "core/error.hpp"

namespace sextant::search::limits {

// Bytes of one filter string or one order_by element (the scanners keep O(length) state).
inline constexpr std::size_t kMaxFilterLength = 1 << 20;
// Comparisons in one filter (each is an AND-ed SQL condition).
inline constexpr std::size_t kMaxFilterClauses = 100;
// Comparisons on metrics, params, tags and the run name in one filter (each may join a table).
inline constexpr std::size_t kMaxEntityClauses = 40;
// Values in all IN / NOT IN lists of one filter (each is a bind variable).
inline constexpr std::size_t kMaxListValues = 10'000;
// Keys in one order_by list (each may join a table: 40 + 16 + the run stays below 61).
inline constexpr std::size_t kMaxOrderByKeys = 16;

inline void check_filter_length(std::size_t bytes) {
  if (bytes > kMaxFilterLength) {
    core::throw_invalid("Invalid search expression: longer than " + std::to_string(kMaxFilterLength) +
                        " bytes (the limit).");
  }
}

inline void check_filter_clauses(std::size_t clauses) {
  if (clauses > kMaxFilterClauses) {
    core::throw_invalid("Invalid search filter: more than " + std::to_string(kMaxFilterClauses) +
                        " comparisons; at most " + std::to_string(kMaxFilterClauses) + " are allowed.");
  }
}

inline void check_list_values(std::size_t values) {
  if (values > kMaxListValues) {
    core::throw_invalid("Invalid search filter: " + std::to_string(values) + " values in IN lists; at most " +
                        std::to_string(kMaxListValues) + " are allowed.");
  }
}

inline void check_order_by_count(std::size_t keys) {
  if (keys > kMaxOrderByKeys) {
    core::throw_invalid("Invalid order_by: " + std::to_string(keys) + " keys; at most " +
                        std::to_string(kMaxOrderByKeys) + " are allowed.");
  }
}

}  // namespace sextant::search::limits
