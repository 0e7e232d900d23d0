#include "artifacts/s3/sigv4.hpp"

#include "util/url.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <stdexcept>

namespace sextant::artifacts::s3 {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Header values: leading/trailing spaces removed, runs of spaces folded to one (SigV4 "Trimall").
std::string trim_all(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// Generic (non-S3) path normalisation: remove "." and ".." segments and duplicate slashes.
std::string normalize_path(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    auto seg = path.substr(start, end - start);
    if (seg == "..") {
      if (!out.empty()) out.pop_back();
    } else if (!seg.empty() && seg != ".") {
      out.push_back(seg);
    }
    start = end + 1;
  }
  std::string result;
  for (auto s : out) {
    result += '/';
    result += s;
  }
  if (result.empty() || (path.size() > 1 && path.back() == '/')) result += '/';
  return result;
}

struct Canonical {
  std::string request;
  std::string signed_headers;
};

Canonical canonical_request(const SigningRequest& r, const std::vector<std::pair<std::string, std::string>>& headers,
                            const std::string& query, const std::string& payload, const SigningOptions& o) {
  std::string path = r.path.empty() ? "/" : r.path;
  if (!o.s3) path = uri_encode(normalize_path(path), false);
  // Headers: lower-cased names, sorted; values of repeated names joined with ','.
  std::vector<std::pair<std::string, std::string>> hs;
  for (const auto& [k, v] : headers) hs.emplace_back(lower(k), trim_all(v));
  std::stable_sort(hs.begin(), hs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string canonical_headers, signed_headers;
  for (std::size_t i = 0; i < hs.size(); ++i) {
    if (i > 0 && hs[i].first == hs[i - 1].first) {
      canonical_headers.back() = ',';
      canonical_headers += hs[i].second + "\n";
      continue;
    }
    canonical_headers += hs[i].first + ":" + hs[i].second + "\n";
    if (!signed_headers.empty()) signed_headers += ';';
    signed_headers += hs[i].first;
  }
  Canonical c;
  c.request = r.method + "\n" + path + "\n" + query + "\n" + canonical_headers + "\n" + signed_headers + "\n" + payload;
  c.signed_headers = std::move(signed_headers);
  return c;
}

std::string signing_key(const Credentials& creds, const SigningScope& scope) {
  std::string k = hmac_sha256("AWS4" + creds.secret_access_key, scope.amz_date.substr(0, 8));
  k = hmac_sha256(k, scope.region);
  k = hmac_sha256(k, scope.service);
  return hmac_sha256(k, "aws4_request");
}

std::string credential_scope(const SigningScope& scope) {
  return scope.amz_date.substr(0, 8) + "/" + scope.region + "/" + scope.service + "/aws4_request";
}

void check_scope(const SigningScope& scope) {
  if (scope.amz_date.size() != 16 || scope.amz_date[8] != 'T' || scope.amz_date.back() != 'Z')
    throw std::invalid_argument("SigV4: amz_date must look like 20150830T123600Z");
}

}  // namespace

std::string hex_encode(std::string_view raw) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 failed");
  return hex_encode(std::string_view(reinterpret_cast<const char*>(md), len));
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
            data.size(), md, &len))
    throw std::runtime_error("HMAC-SHA256 failed");
  return std::string(reinterpret_cast<const char*>(md), len);
}

std::string uri_encode(std::string_view s, bool encode_slash) { return util::percent_encode(s, !encode_slash); }

std::string amz_date(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[20];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string canonical_query(std::vector<std::pair<std::string, std::string>> query) {
  for (auto& [k, v] : query) {
    k = uri_encode(k, true);
    v = uri_encode(v, true);
  }
  std::sort(query.begin(), query.end());
  std::string out;
  for (const auto& [k, v] : query) {
    if (!out.empty()) out += '&';
    out += k + "=" + v;
  }
  return out;
}

SignedRequest sign_request(const SigningRequest& r, const Credentials& creds, const SigningScope& scope,
                           const SigningOptions& o) {
  check_scope(scope);
  SignedRequest out;
  out.headers.emplace_back("X-Amz-Date", scope.amz_date);
  if (o.s3) out.headers.emplace_back("X-Amz-Content-Sha256", r.payload_hash);
  if (!creds.session_token.empty()) out.headers.emplace_back("X-Amz-Security-Token", creds.session_token);
  auto headers = r.headers;
  headers.emplace_back("host", r.host);
  for (const auto& h : out.headers) headers.push_back(h);
  std::string payload = o.s3 ? r.payload_hash : (r.payload_hash == kUnsignedPayload ? std::string(kEmptySha256) : r.payload_hash);
  auto c = canonical_request(r, headers, canonical_query(r.query), payload, o);
  out.canonical_request = c.request;
  out.signed_headers = c.signed_headers;
  out.string_to_sign = "AWS4-HMAC-SHA256\n" + scope.amz_date + "\n" + credential_scope(scope) + "\n" + sha256_hex(c.request);
  out.signature = hex_encode(hmac_sha256(signing_key(creds, scope), out.string_to_sign));
  out.headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=" + creds.access_key_id + "/" +
                                                credential_scope(scope) + ", SignedHeaders=" + c.signed_headers +
                                                ", Signature=" + out.signature);
  return out;
}

std::string presign_query(const SigningRequest& r, const Credentials& creds, const SigningScope& scope,
                          int expires_seconds, const SigningOptions& o) {
  check_scope(scope);
  auto headers = r.headers;
  headers.emplace_back("host", r.host);
  // Only the names are needed here; canonical_request computes the same list.
  std::vector<std::string> names;
  for (const auto& [k, v] : headers) names.push_back(lower(k));
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::string signed_names;
  for (const auto& n : names) signed_names += (signed_names.empty() ? "" : ";") + n;
  auto query = r.query;
  query.emplace_back("X-Amz-Algorithm", "AWS4-HMAC-SHA256");
  query.emplace_back("X-Amz-Credential", creds.access_key_id + "/" + credential_scope(scope));
  query.emplace_back("X-Amz-Date", scope.amz_date);
  query.emplace_back("X-Amz-Expires", std::to_string(expires_seconds));
  query.emplace_back("X-Amz-SignedHeaders", signed_names);
  if (!creds.session_token.empty()) query.emplace_back("X-Amz-Security-Token", creds.session_token);
  std::string canonical = canonical_query(query);
  std::string payload = o.s3 ? std::string(kUnsignedPayload) : r.payload_hash;
  auto c = canonical_request(r, headers, canonical, payload, o);
  std::string sts = "AWS4-HMAC-SHA256\n" + scope.amz_date + "\n" + credential_scope(scope) + "\n" + sha256_hex(c.request);
  return canonical + "&X-Amz-Signature=" + hex_encode(hmac_sha256(signing_key(creds, scope), sts));
}

}  // namespace sextant::artifacts::s3
