// AWS Signature Version 4 (SigV4): canonical request -> string to sign -> HMAC-SHA256 chain.
// Pure functions (OpenSSL for the hashes); no clock, no I/O. Two forms:
//  - header form: Authorization + X-Amz-Date (+ X-Amz-Content-Sha256 for S3, + X-Amz-Security-Token);
//  - query form (presigned URLs): X-Amz-Algorithm/Credential/Date/Expires/SignedHeaders/Signature.
// S3 rules by default: the URI path is used as given (already encoded once, not normalised) and
// the payload hash is signed as x-amz-content-sha256 (a hex SHA-256, or UNSIGNED-PAYLOAD).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sextant::artifacts::s3 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // "" for long-term keys
  std::optional<std::chrono::system_clock::time_point> expiration;
};

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
inline constexpr std::string_view kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string sha256_hex(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes
std::string hex_encode(std::string_view raw);

// SigV4's URI encoding: RFC 3986 unreserved characters kept, everything else %XX (upper case);
// '/' kept unless `encode_slash`.
std::string uri_encode(std::string_view s, bool encode_slash);

// "20150830T123600Z" for a time point.
std::string amz_date(std::chrono::system_clock::time_point t);

struct SigningRequest {
  std::string method;  // GET, PUT, ...
  std::string host;    // Host header value, with ":port" when not the scheme's default
  std::string path;    // the encoded request path as sent ("/bucket/a%20b"); "" means "/"
  std::vector<std::pair<std::string, std::string>> query;    // decoded names and values, any order
  std::vector<std::pair<std::string, std::string>> headers;  // further headers to sign (any case)
  std::string payload_hash = std::string(kUnsignedPayload);  // hex SHA-256 of the body, or UNSIGNED-PAYLOAD
};

struct SigningScope {
  std::string region;
  std::string service = "s3";
  std::string amz_date;  // "20150830T123600Z"
};

struct SigningOptions {
  bool s3 = true;  // false: the generic rules of AWS's test suite (path encoded twice and normalised,
                   // no x-amz-content-sha256 header)
};

struct SignedRequest {
  std::vector<std::pair<std::string, std::string>> headers;  // to add to the request (Authorization last)
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;
  std::string signature;
};

// Header form.
SignedRequest sign_request(const SigningRequest& request, const Credentials& credentials, const SigningScope& scope,
                           const SigningOptions& options = {});

// Query form: the complete canonical query string (the request's own parameters plus the
// X-Amz-* ones, sorted, ending with X-Amz-Signature) to append after '?'. The payload is
// UNSIGNED-PAYLOAD for S3 (the request's payload_hash otherwise); request.headers are signed
// too and must then be sent by whoever uses the URL.
std::string presign_query(const SigningRequest& request, const Credentials& credentials, const SigningScope& scope,
                          int expires_seconds, const SigningOptions& options = {});

// The canonical query string of decoded (name, value) pairs: each encoded, sorted by name then value.
std::string canonical_query(std::vector<std::pair<std::string, std::string>> query);

}  // namespace sextant::artifacts::s3
