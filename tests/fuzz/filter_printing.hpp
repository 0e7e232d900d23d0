// Printing parsed search filters back as text, for the round-trip checks of the filter targets.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Text that can stand between quotes (or backticks) with no escaping in both filter grammars.
inline bool plain_literal(std::string_view s) { return s.find_first_of("'\"`\\(),") == std::string_view::npos; }

// "('a', 'b')"; nullopt when an item is not plain.
inline std::optional<std::string> quoted_list(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!plain_literal(item)) return std::nullopt;
    out += (out.empty() ? "'" : ", '") + item + "'";
  }
  return "(" + out + ")";
}
