// Scanning SQL text the way the drivers rewrite it (placeholders, reserved words). Pure.
#pragma once

#include <cstddef>
#include <string_view>

namespace sextant::db {

// `sql[i]` opens a quoted section ('...', "..." or `...`; a doubled quote stays inside): the index
// just past its closing quote (or the end of the text when it is not closed).
inline std::size_t quoted_end(std::string_view sql, std::size_t i) {
  char q = sql[i];
  std::size_t j = i + 1;
  while (j < sql.size()) {
    if (sql[j] == q) {
      if (j + 1 < sql.size() && sql[j + 1] == q) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    ++j;
  }
  return sql.size();
}

}  // namespace sextant::db
