// SHA-256 and HMAC-SHA256 (OpenSSL 3). Pure, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace sextant::util {

// The 32-byte MAC of `data` under `key`.
std::string hmac_sha256(std::string_view key, std::string_view data);
// Lower-case hex SHA-256 of `data` (64 characters).
std::string sha256_hex(std::string_view data);

}  // namespace sextant::util
