#include "http/request_target.hpp"

#include <cctype>

#include "util/strings.hpp"
#include "util/url.hpp"

namespace sextant::http {

std::optional<std::string> decode_path(std::string_view raw) {
  auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '%' && (raw.size() - i < 3 || !hex(raw[i + 1]) || !hex(raw[i + 2]))) return std::nullopt;
  }
  auto out = util::percent_decode(raw);
  if (!util::valid_utf8(out)) return std::nullopt;
  return out;
}

}  // namespace sextant::http
