// The rule for passwords Sextant stores (users/create, users/set-password, the admin bootstrap):
// at least 12 characters (MLflow's rule, counted in Unicode code points), at most 1024 bytes, not
// whitespace only, at least 4 different characters, not a personal-token look-alike (sxt_...),
// not the user name, and not one of the most common passwords (common_passwords.cpp, compared
// case-insensitively). Pure.
#pragma once

#include <string>
#include <string_view>

namespace sextant::auth {

// Why `password` is refused for `username`, as a sentence for the client; "" when acceptable.
std::string password_problem(std::string_view password, std::string_view username = {});

// True when `password` (lower-cased by the caller) is on the committed common-password list.
bool common_password(std::string_view lowered);

}  // namespace sextant::auth
