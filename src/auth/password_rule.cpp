#include "auth/password_rule.hpp"

#include <set>

#include "auth/crypto.hpp"
#include "util/strings.hpp"

namespace sextant::auth {

namespace {

bool space(unsigned char c) { return c == ' ' || (c >= 0x09 && c <= 0x0d); }

// Code points in UTF-8 text (continuation bytes are not counted; invalid bytes count as one).
std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xc0) != 0x80) ++n;
  return n;
}

}  // namespace

std::string password_problem(std::string_view password, std::string_view username) {
  if (code_points(password) < 12) return "Passwords must be at least 12 characters long.";
  if (password.size() > 1024) return "Passwords are at most 1024 characters.";
  bool only_space = true;
  for (unsigned char c : password) only_space = only_space && space(c);
  if (only_space) return "Passwords cannot be only white space.";
  if (std::set<char>(password.begin(), password.end()).size() < 4) {
    return "Passwords need at least 4 different characters.";
  }
  if (password.starts_with(kTokenPrefix)) {
    return "Passwords cannot start with 'sxt_' (that prefix marks personal access tokens).";
  }
  auto lowered = util::to_lower(password);
  if (!username.empty() && lowered == util::to_lower(username)) return "The password cannot be the user name.";
  if (common_password(lowered)) return "This password is one of the most common passwords; choose another.";
  return "";
}

}  // namespace sextant::auth
