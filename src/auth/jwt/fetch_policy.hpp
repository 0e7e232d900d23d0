// Which URLs auth/ fetches identity-provider documents from: https:// always; http:// only to a
// loopback host (127.0.0.0/8, [::1], localhost; test providers) unless the issuer's
// allow_insecure_http says so. No user-info part, no fragment. Pure function.
#pragma once

#include <string_view>

namespace sextant::auth::jwt {

bool fetch_url_allowed(std::string_view url, bool allow_insecure_http) noexcept;

}  // namespace sextant::auth::jwt
