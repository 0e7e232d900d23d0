#include "otlp/decompress.hpp"

#include <zlib.h>

#include <climits>

#include "otlp/otlp_error.hpp"
#include "util/strings.hpp"

namespace sextant::otlp {

std::optional<Encoding> parse_content_encoding(std::string_view header) {
  std::string v = util::to_lower(util::trim(header));
  if (v.empty() || v == "identity") return Encoding::Identity;
  if (v == "gzip" || v == "x-gzip") return Encoding::Gzip;
  if (v == "deflate") return Encoding::Deflate;
  return std::nullopt;
}

namespace {

// window_bits as zlib's inflateInit2 takes them: 16+15 gzip, 15 zlib, -15 raw deflate.
std::optional<std::string> inflate_with(std::string_view body, int window_bits, std::size_t max_output) {
  z_stream zs{};
  if (inflateInit2(&zs, window_bits) != Z_OK) throw std::bad_alloc();
  struct End {
    z_stream* z;
    ~End() { inflateEnd(z); }
  } end{&zs};
  std::string out;
  char chunk[65536];
  const auto* next = reinterpret_cast<const Bytef*>(body.data());
  std::size_t left = body.size();
  int rc = Z_OK;
  while (true) {
    if (zs.avail_in == 0 && left > 0) {
      uInt n = left > UINT_MAX ? UINT_MAX : static_cast<uInt>(left);
      zs.next_in = const_cast<Bytef*>(next);
      zs.avail_in = n;
      next += n;
      left -= n;
    }
    zs.next_out = reinterpret_cast<Bytef*>(chunk);
    zs.avail_out = sizeof chunk;
    rc = inflate(&zs, Z_NO_FLUSH);
    std::size_t produced = sizeof chunk - zs.avail_out;
    if (produced > max_output - out.size()) {
      throw OtlpError(OtlpError::Kind::TooLarge, "The decompressed request body is larger than the server's limit.");
    }
    out.append(chunk, produced);
    if (rc == Z_STREAM_END) break;
    if (rc == Z_BUF_ERROR && zs.avail_in == 0 && left == 0) return std::nullopt;  // truncated
    if (rc != Z_OK && rc != Z_BUF_ERROR) return std::nullopt;
  }
  if (zs.avail_in != 0 || left != 0) return std::nullopt;  // bytes after the stream
  return out;
}

}  // namespace

std::string inflate_body(std::string_view body, Encoding encoding, std::size_t max_output) {
  if (encoding == Encoding::Identity) return std::string(body);
  std::optional<std::string> out;
  if (encoding == Encoding::Gzip) {
    out = inflate_with(body, 16 + MAX_WBITS, max_output);
  } else {
    out = inflate_with(body, MAX_WBITS, max_output);
    if (!out) out = inflate_with(body, -MAX_WBITS, max_output);
  }
  if (!out) malformed("The request body is not a valid " + std::string(encoding == Encoding::Gzip ? "gzip" : "deflate") +
                      " stream.");
  return std::move(*out);
}

}  // namespace sextant::otlp
