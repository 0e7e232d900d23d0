#include "http/request_framing.hpp"

#include "util/strings.hpp"

namespace sextant::http {

namespace {

FramingVerdict refuse(int status, std::string message) { return FramingVerdict{status, std::move(message)}; }

bool all_digits(std::string_view v) {
  if (v.empty() || v.size() > 19) return false;  // 19 digits fit in 63 bits
  for (char c : v)
    if (c < '0' || c > '9') return false;
  return true;
}

// The codings of all Transfer-Encoding lines, in order (a repeated field is one comma list).
std::vector<std::string> codings(const std::vector<std::string_view>& lines) {
  std::vector<std::string> out;
  for (auto line : lines)
    for (const auto& part : util::split(line, ',')) out.push_back(util::to_lower(util::trim(part)));
  return out;
}

}  // namespace

FramingVerdict check_framing(const FramingFields& f) {
  if (f.host.size() > 1) return refuse(400, "More than one Host header.");
  if (f.host.empty() && f.version >= 11) return refuse(400, "Missing Host header.");
  if (!f.transfer_encoding.empty()) {
    if (f.version < 11) return refuse(400, "Transfer-Encoding is not allowed in an HTTP/1.0 request.");
    if (!f.content_length.empty()) return refuse(400, "Transfer-Encoding and Content-Length together.");
    auto list = codings(f.transfer_encoding);
    if (list.empty() || list.back() != "chunked") {
      return refuse(400, "Transfer-Encoding must end with chunked.");
    }
    for (std::size_t i = 0; i + 1 < list.size(); ++i) {
      if (list[i] == "chunked") return refuse(400, "Transfer-Encoding applies chunked more than once.");
    }
    if (list.size() > 1) return refuse(501, "Transfer codings other than chunked are not supported.");
    return {};
  }
  if (f.content_length.size() > 1) return refuse(400, "More than one Content-Length header.");
  if (f.content_length.size() == 1 && !all_digits(util::trim(f.content_length.front()))) {
    return refuse(400, "Content-Length must be one decimal number.");
  }
  return {};
}

}  // namespace sextant::http
