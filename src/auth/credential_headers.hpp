// Parsing the request headers that carry credentials (Cookie, Authorization). Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sextant::auth {

// The value of cookie `name` in a Cookie header ("a=1; b=2"), nullopt when absent.
std::optional<std::string> cookie_value(std::string_view header, std::string_view name);
// The credentials of "Authorization: <scheme> <rest>" when the scheme matches (case-insensitive).
std::optional<std::string> authorization_param(std::string_view header, std::string_view scheme);

}  // namespace sextant::auth
