// Content-Encoding of an OTLP body: gzip (RFC 1952) and deflate (RFC 1950 zlib stream as the
// OTel exporters send it; a raw RFC 1951 stream is accepted too), inflated with zlib into at most
// `max_output` bytes, so a small compressed body cannot expand into unbounded memory
// (OtlpError TooLarge). A corrupt or truncated stream, or bytes after its end, is
// OtlpError(Malformed). Pure (no I/O besides memory).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sextant::otlp {

enum class Encoding { Identity, Gzip, Deflate };

// The encoding a Content-Encoding header names (case-insensitive; "" and "identity" are
// Identity); nullopt for anything else (x-gzip is gzip, as HTTP/1.1 says).
std::optional<Encoding> parse_content_encoding(std::string_view header);

std::string inflate_body(std::string_view body, Encoding encoding, std::size_t max_output);

}  // namespace sextant::otlp
