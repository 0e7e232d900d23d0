// Standard base64 with padding (RFC 4648 §4). Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sextant::util {

std::string base64_encode(std::string_view data);
// nullopt when `text` is not valid padded or unpadded base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace sextant::util
