#include "http/body_reader.hpp"

#include <charconv>
#include <string_view>

#include "core/error.hpp"
#include "http/error_response.hpp"

namespace sextant::http {

namespace bhttp = boost::beast::http;

// From the header itself (Beast's boost::optional accessors trip GCC 12's maybe-uninitialized
// check under the sanitizers).
std::optional<std::uint64_t> BodyReader::size() const {
  if (parser_.chunked()) return std::nullopt;
  const auto& h = parser_.get();
  auto it = h.find(bhttp::field::content_length);
  if (it == h.end()) return std::nullopt;
  std::string_view v(it->value().data(), it->value().size());
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size()) return std::nullopt;
  return n;
}

std::size_t BodyReader::read(char* out, std::size_t size) {
  if (error_) throw_failure();
  conn_.enter(Phase::Body, steady_ms());
  while (!parser_.is_done()) {
    parser_.get().body().data = out;
    parser_.get().body().size = size;
    boost::beast::error_code ec;
    conn_.read_body_some(buffer_, parser_, budget_, ec);
    std::size_t got = size - parser_.get().body().size;
    if (ec) {
      error_ = ec;
      throw_failure();
    }
    bytes_ += got;
    if (got > 0) return got;
  }
  return 0;
}

bool BodyReader::drain(std::size_t limit) {
  char sink[8192];
  std::size_t total = 0;
  try {
    while (std::size_t n = read(sink, sizeof(sink))) {
      total += n;
      if (total > limit) return false;
    }
  } catch (const core::MlflowError&) {
    return false;
  }
  return true;
}

api::ApiResponse BodyReader::failure_response() const {
  if (conn_.timed_out.load() == Phase::Body) {
    return error_response(408, "BAD_REQUEST", "The request body made no progress in time; the connection is closed.");
  }
  return error_response(400, "BAD_REQUEST", "Malformed or incomplete request body.");
}

void BodyReader::throw_failure() const {
  if (conn_.timed_out.load() == Phase::Body) {
    throw core::MlflowError(core::ErrorCode::BAD_REQUEST, "The request body made no progress in time.");
  }
  throw core::MlflowError(core::ErrorCode::BAD_REQUEST, "Malformed or incomplete request body: " + error_.message());
}

}  // namespace sextant::http
