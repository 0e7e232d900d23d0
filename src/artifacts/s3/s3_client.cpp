#include "artifacts/s3/s3_client.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <future>
#include <iostream>
#include <random>
#include <thread>

#include "artifacts/s3/sigv4.hpp"
#include "artifacts/s3/xml.hpp"
#include "util/base64.hpp"

namespace sextant::artifacts::s3 {

namespace {

std::string md5_base64(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_md5(), nullptr);
  return util::base64_encode(std::string_view(reinterpret_cast<const char*>(md), len));
}

bool retryable(const HttpResponse& res) {
  if (res.reader_failed || (res.aborted_by_sink)) return false;
  if (res.status == 0) return true;  // connection refused/reset, timeout
  if (res.status == 500 || res.status == 502 || res.status == 503 || res.status == 504 || res.status == 429) return true;
  if (res.status == 400 || res.status == 403) {
    auto code = xml::text(res.body, "Code").value_or("");
    return code == "RequestTimeout" || code == "Throttling" || code == "ThrottlingException" || code == "SlowDown" ||
           code == "RequestThrottled";
  }
  return false;
}

void backoff(int attempt) {
  thread_local std::mt19937 rng(std::random_device{}());
  auto base = std::min(5000, 100 << std::min(attempt, 6));
  std::uniform_int_distribution<int> jitter(base / 2, base);
  std::this_thread::sleep_for(std::chrono::milliseconds(jitter(rng)));
}

// Fills `buffer` with up to `size` bytes from `source` (fewer only at its end), reusing its memory.
void read_part(ByteSource& source, std::uint64_t size, std::string& buffer) {
  buffer.resize(size);
  std::size_t filled = 0;
  while (filled < buffer.size()) {
    auto n = source.read(buffer.data() + filled, buffer.size() - filled);
    if (n == 0) break;
    filled += n;
  }
  buffer.resize(filled);
}

}  // namespace

// One request: where, what, how it is signed and whether it may be sent again.
struct S3Client::Call {
  std::string method = "GET";
  std::string bucket;
  std::string key;
  bool bucket_level = false;  // a bucket operation (list, batch delete, HEAD bucket)
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;                                 // in memory: signed, retryable
  std::string_view body_view;                       // the same, owned by the caller (part buffers)
  ByteSource* source = nullptr;                     // streamed: UNSIGNED-PAYLOAD, sent once
  std::uint64_t source_size = 0;
  ByteSink* sink = nullptr;                         // 2xx body goes here
  std::string region;                               // "" = the bucket's
  long timeout_seconds = 0;
};

bool virtual_host_compatible(const std::string& b) {
  if (b.size() < 3 || b.size() > 63) return false;
  for (char c : b)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return b.front() != '-' && b.back() != '-';
}

S3Client::S3Client(S3Config config, std::shared_ptr<CredentialsProvider> credentials)
    : config_(std::move(config)), credentials_(std::move(credentials)) {
  if (!config_.endpoint.empty()) {
    auto sep = config_.endpoint.find("://");
    scheme_ = config_.endpoint.substr(0, sep);
    auto rest = config_.endpoint.substr(sep + 3);
    auto slash = rest.find('/');
    endpoint_host_ = rest.substr(0, slash);
    endpoint_path_ = slash == std::string::npos ? "" : rest.substr(slash);
    while (endpoint_path_.ends_with("/")) endpoint_path_.pop_back();
  }
}

S3Client::Target S3Client::target(const std::string& bucket, const std::string& key, bool bucket_level) const {
  Target t;
  std::string host;
  std::string scheme = scheme_;
  if (config_.endpoint.empty()) {
    scheme = "https";
    host = "s3." + region_for(bucket) + ".amazonaws.com";
  } else {
    host = endpoint_host_;
  }
  bool virt = config_.addressing == Addressing::Virtual ||
              (config_.addressing == Addressing::Auto && config_.endpoint.empty() && virtual_host_compatible(bucket));
  std::string encoded_key = uri_encode(key, false);
  if (virt) {
    t.host = bucket + "." + host;
    t.path = endpoint_path_ + "/" + (bucket_level ? "" : encoded_key);
  } else {
    t.host = host;
    t.path = endpoint_path_ + "/" + uri_encode(bucket, true) + (bucket_level ? "" : "/" + encoded_key);
  }
  t.base = scheme + "://" + t.host;
  return t;
}

std::string S3Client::region_for(const std::string& bucket) const {
  if (!config_.region.empty()) return config_.region;
  {
    std::lock_guard lock(regions_mutex_);
    if (auto it = regions_.find(bucket); it != regions_.end()) return it->second;
  }
  // HEAD bucket, signed for us-east-1: S3 names the bucket's region in x-amz-bucket-region even
  // when it refuses the request (301/400/403).
  std::string region = "us-east-1";
  {
    std::string host = config_.endpoint.empty() ? "s3.us-east-1.amazonaws.com" : endpoint_host_;
    std::string base = (config_.endpoint.empty() ? std::string("https") : scheme_) + "://" + host;
    std::string path = endpoint_path_ + "/" + uri_encode(bucket, true);
    try {
      auto creds = credentials_->get();
      SigningRequest sr;
      sr.method = "HEAD";
      sr.host = host;
      sr.path = path;
      sr.payload_hash = std::string(kEmptySha256);
      auto signed_req = sign_request(sr, creds, SigningScope{"us-east-1", "s3", amz_date(std::chrono::system_clock::now())});
      HttpRequest req;
      req.method = "HEAD";
      req.url = base + path;
      req.headers = signed_req.headers;
      req.verify_tls = config_.verify_tls;
      req.ca_file = config_.ca_file;
      req.timeout_seconds = 30;
      auto res = http_perform(req);
      if (auto r = res.header("x-amz-bucket-region"); r && !r->empty()) region = *r;
    } catch (const CredentialsError&) {
      throw;
    } catch (const std::exception&) {
    }
  }
  std::lock_guard lock(regions_mutex_);
  regions_[bucket] = region;
  return region;
}

HttpResponse S3Client::send(Call& call) const {
  const int attempts = (call.source) ? 1 : config_.max_attempts;
  HttpResponse res;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    if (attempt > 0) backoff(attempt);
    Credentials creds;
    try {
      creds = credentials_->get();
    } catch (const CredentialsError& e) {
      throw S3Error(0, "CredentialsError", std::string("no AWS credentials for S3: ") + e.what());
    }
    auto t = target(call.bucket, call.key, call.bucket_level);
    SigningRequest sr;
    sr.method = call.method;
    sr.host = t.host;
    sr.path = t.path;
    sr.query = call.query;
    sr.headers = call.headers;
    if (!config_.expected_bucket_owner.empty())
      sr.headers.emplace_back("x-amz-expected-bucket-owner", config_.expected_bucket_owner);
    std::string_view payload = call.body_view.data() ? call.body_view : std::string_view(call.body);
    sr.payload_hash = call.source ? std::string(kUnsignedPayload) : sha256_hex(payload);
    auto region = call.region.empty() ? region_for(call.bucket) : call.region;
    auto signed_req = sign_request(sr, creds, SigningScope{region, "s3", amz_date(std::chrono::system_clock::now())});

    HttpRequest req;
    req.method = call.method;
    auto q = canonical_query(call.query);
    req.url = t.base + t.path + (q.empty() ? "" : "?" + q);
    req.headers = sr.headers;
    for (auto& h : signed_req.headers) req.headers.push_back(std::move(h));
    req.verify_tls = config_.verify_tls;
    req.ca_file = config_.ca_file;
    req.timeout_seconds = call.timeout_seconds;
    std::uint64_t delivered = 0;
    if (call.source) {
      ByteSource* src = call.source;
      req.reader = [src](char* buf, std::size_t n) { return src->read(buf, n); };
      req.body_size = call.source_size;
    } else {
      req.body = payload;
    }
    if (call.sink) {
      ByteSink* sink = call.sink;
      req.sink = [sink, &delivered](const char* d, std::size_t n) {
        delivered += n;
        return sink->write(d, n);
      };
    }
    res = http_perform(req);
    if (!retryable(res) || delivered > 0) return res;
  }
  return res;
}

void S3Client::fail(const HttpResponse& res, const std::string& what) const {
  if (res.status == 0) throw S3Error(0, "ConnectionError", what + ": " + res.error);
  auto code = xml::text(res.body, "Code").value_or("");
  auto message = xml::text(res.body, "Message").value_or("");
  if (code.empty()) {
    code = res.status == 404 ? "NoSuchKey" : res.status == 403 ? "AccessDenied" : "HTTP" + std::to_string(res.status);
  }
  throw S3Error(static_cast<int>(res.status), code,
                what + ": " + code + (message.empty() ? "" : " (" + message + ")"));
}

std::optional<ObjectHead> S3Client::head_object(const std::string& bucket, const std::string& key) const {
  Call c;
  c.method = "HEAD";
  c.bucket = bucket;
  c.key = key;
  c.timeout_seconds = 60;
  auto res = send(c);
  if (res.status == 404) return std::nullopt;
  if (res.status != 200) fail(res, "HEAD s3://" + bucket + "/" + key);
  ObjectHead h;
  if (auto len = res.header("content-length")) h.size = std::stoull(*len);
  h.etag = res.header("etag").value_or("");
  return h;
}

void S3Client::get_object(const std::string& bucket, const std::string& key,
                          const std::optional<std::pair<std::uint64_t, std::uint64_t>>& range,
                          const std::string& if_match, ByteSink& sink) const {
  Call c;
  c.bucket = bucket;
  c.key = key;
  if (range) c.headers.emplace_back("Range", "bytes=" + std::to_string(range->first) + "-" + std::to_string(range->second));
  if (!if_match.empty()) c.headers.emplace_back("If-Match", if_match);
  c.sink = &sink;
  auto res = send(c);
  if (res.aborted_by_sink) return;  // the receiver went away
  if (res.status != 200 && res.status != 206) fail(res, "GET s3://" + bucket + "/" + key);
}

void S3Client::put_object(const std::string& bucket, const std::string& key, ByteSource& source) const {
  Call c;
  c.method = "PUT";
  c.bucket = bucket;
  c.key = key;
  c.headers = {{"Content-Type", "application/octet-stream"}};
  for (const auto& h : config_.upload_headers) c.headers.push_back(h);
  auto size = source.size();
  if (size && *size <= config_.multipart_threshold) {  // one streamed PUT
    c.source = &source;
    c.source_size = *size;
  } else {
    // Unknown or large size: read the first part; a short object goes up in one signed PUT.
    // Parts grow when 10,000 of the configured size would not hold a known size.
    auto part_size = std::max<std::uint64_t>(config_.part_size, size ? (*size + 9999) / 10000 : 0);
    std::string first;
    read_part(source, part_size, first);
    if (first.size() == part_size) return put_multipart(bucket, key, source, std::move(first), part_size);
    c.body = std::move(first);
  }
  auto res = send(c);
  if (res.reader_failed) throw std::runtime_error(res.error);
  if (res.status != 200) fail(res, "PUT s3://" + bucket + "/" + key);
}

void S3Client::put_multipart(const std::string& bucket, const std::string& key, ByteSource& source,
                             std::string first_part, std::uint64_t part_size) const {
  auto upload_id = create_multipart_upload(bucket, key);
  // At most upload_concurrency parts in flight plus the one being read: part buffers are reused,
  // so memory stays at (concurrency + 1) x part size whatever the object's size.
  struct Slot {
    int number = 0;
    std::string buffer;
    std::future<std::string> etag;
  };
  std::vector<CompletedPart> parts;
  std::deque<Slot> running;
  std::vector<std::string> spare;
  auto wait_oldest = [&] {
    Slot slot = std::move(running.front());
    running.pop_front();
    parts.push_back({slot.number, slot.etag.get()});
    spare.push_back(std::move(slot.buffer));
  };
  try {
    int number = 1;
    std::string buffer = std::move(first_part);
    while (!buffer.empty()) {
      if (number > 10000) throw std::runtime_error("the upload needs more than 10,000 parts; raise SEXTANT_S3_PART_SIZE");
      while (static_cast<int>(running.size()) >= config_.upload_concurrency) wait_oldest();
      Slot slot;
      slot.number = number;
      slot.buffer = std::move(buffer);
      std::string_view data = slot.buffer;  // the string's heap block does not move with it
      slot.etag = std::async(std::launch::async, [this, &bucket, &key, &upload_id, number, data] {
        return upload_part(bucket, key, upload_id, number, data);
      });
      running.push_back(std::move(slot));
      ++number;
      buffer.clear();
      if (!spare.empty()) {
        buffer = std::move(spare.back());
        spare.pop_back();
      }
      read_part(source, part_size, buffer);  // while the others upload
    }
    while (!running.empty()) wait_oldest();
    complete_multipart_upload(bucket, key, upload_id, parts);
  } catch (...) {
    for (auto& slot : running) {
      try {
        slot.etag.get();
      } catch (...) {
      }
    }
    try {
      abort_multipart_upload(bucket, key, upload_id);
    } catch (const std::exception& e) {
      std::cerr << "sextant: warning: aborting multipart upload of s3://" << bucket << "/" << key
                << " failed: " << e.what() << std::endl;
    }
    throw;
  }
}

ListPage S3Client::list_objects(const std::string& bucket, const std::string& prefix, const std::string& delimiter,
                                const std::string& token, int max_keys) const {
  Call c;
  c.bucket = bucket;
  c.bucket_level = true;
  c.query = {{"list-type", "2"}, {"max-keys", std::to_string(max_keys)}};
  if (!prefix.empty()) c.query.emplace_back("prefix", prefix);
  if (!delimiter.empty()) c.query.emplace_back("delimiter", delimiter);
  if (!token.empty()) c.query.emplace_back("continuation-token", token);
  c.timeout_seconds = 120;
  auto res = send(c);
  if (res.status != 200) fail(res, "LIST s3://" + bucket + "/" + prefix);
  ListPage page;
  for (auto obj : xml::elements(res.body, "Contents")) {
    ListedObject o;
    o.key = xml::text(obj, "Key").value_or("");
    auto size = xml::text(obj, "Size").value_or("0");
    o.size = size.empty() ? 0 : std::stoull(size);
    page.objects.push_back(std::move(o));
  }
  for (auto p : xml::elements(res.body, "CommonPrefixes")) page.common_prefixes.push_back(xml::text(p, "Prefix").value_or(""));
  if (xml::text(res.body, "IsTruncated").value_or("false") == "true")
    page.next_continuation_token = xml::text(res.body, "NextContinuationToken").value_or("");
  return page;
}

void S3Client::delete_objects(const std::string& bucket, const std::vector<std::string>& keys) const {
  if (keys.empty()) return;
  std::string body = "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>";
  for (const auto& k : keys) body += "<Object><Key>" + xml::escape(k) + "</Key></Object>";
  body += "</Delete>";
  Call c;
  c.method = "POST";
  c.bucket = bucket;
  c.bucket_level = true;
  c.query = {{"delete", ""}};
  c.headers = {{"Content-Type", "application/xml"}, {"Content-MD5", md5_base64(body)}};
  c.body = std::move(body);
  c.timeout_seconds = 120;
  auto res = send(c);
  if (res.status != 200) fail(res, "DELETE (batch) in s3://" + bucket);
  auto errors = xml::elements(res.body, "Error");
  if (!errors.empty()) {
    throw S3Error(200, xml::text(errors[0], "Code").value_or("DeleteError"),
                  "deleting s3://" + bucket + "/" + xml::text(errors[0], "Key").value_or("") + " failed: " +
                      xml::text(errors[0], "Code").value_or("") + " (" + std::to_string(errors.size()) + " keys)");
  }
}

std::string S3Client::create_multipart_upload(const std::string& bucket, const std::string& key) const {
  Call c;
  c.method = "POST";
  c.bucket = bucket;
  c.key = key;
  c.query = {{"uploads", ""}};
  c.headers = {{"Content-Type", "application/octet-stream"}};
  for (const auto& h : config_.upload_headers) c.headers.push_back(h);
  c.timeout_seconds = 60;
  auto res = send(c);
  if (res.status != 200) fail(res, "CreateMultipartUpload s3://" + bucket + "/" + key);
  auto id = xml::text(res.body, "UploadId");
  if (!id || id->empty()) throw S3Error(static_cast<int>(res.status), "InvalidResponse", "CreateMultipartUpload: no UploadId");
  return *id;
}

std::string S3Client::upload_part(const std::string& bucket, const std::string& key, const std::string& upload_id,
                                  int part_number, std::string_view data) const {
  Call c;
  c.method = "PUT";
  c.bucket = bucket;
  c.key = key;
  c.query = {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id}};
  c.body_view = data;
  auto res = send(c);
  if (res.status != 200) fail(res, "UploadPart " + std::to_string(part_number) + " of s3://" + bucket + "/" + key);
  auto etag = res.header("etag");
  if (!etag) throw S3Error(200, "InvalidResponse", "UploadPart: no ETag");
  return *etag;
}

void S3Client::complete_multipart_upload(const std::string& bucket, const std::string& key,
                                         const std::string& upload_id, const std::vector<CompletedPart>& parts_in) const {
  auto parts = parts_in;
  std::sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a.part_number < b.part_number; });
  std::string body = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  for (const auto& p : parts)
    body += "<Part><PartNumber>" + std::to_string(p.part_number) + "</PartNumber><ETag>" + xml::escape(p.etag) +
            "</ETag></Part>";
  body += "</CompleteMultipartUpload>";
  Call c;
  c.method = "POST";
  c.bucket = bucket;
  c.key = key;
  c.query = {{"uploadId", upload_id}};
  c.headers = {{"Content-Type", "application/xml"}};
  c.body = std::move(body);
  auto res = send(c);
  // S3 may answer 200 and report the failure in the body.
  if (res.status != 200 || !xml::elements(res.body, "Error").empty())
    fail(res.status == 200 ? HttpResponse{400, {}, res.body, "", false, false, ""} : res,
         "CompleteMultipartUpload s3://" + bucket + "/" + key);
}

void S3Client::abort_multipart_upload(const std::string& bucket, const std::string& key,
                                      const std::string& upload_id) const {
  Call c;
  c.method = "DELETE";
  c.bucket = bucket;
  c.key = key;
  c.query = {{"uploadId", upload_id}};
  auto res = send(c);
  if (res.status != 204 && res.status != 200) fail(res, "AbortMultipartUpload s3://" + bucket + "/" + key);
}

std::string S3Client::presign_upload_part(const std::string& bucket, const std::string& key,
                                          const std::string& upload_id, int part_number) const {
  Credentials creds;
  try {
    creds = credentials_->get();
  } catch (const CredentialsError& e) {
    throw S3Error(0, "CredentialsError", std::string("no AWS credentials for S3: ") + e.what());
  }
  auto t = target(bucket, key, false);
  SigningRequest sr;
  sr.method = "PUT";
  sr.host = t.host;
  sr.path = t.path;
  sr.query = {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id}};
  // Credentials that expire sooner than the URL would make it fail early: keep within them.
  int expires = config_.presign_expires_seconds;
  if (creds.expiration) {
    auto left = std::chrono::duration_cast<std::chrono::seconds>(*creds.expiration - std::chrono::system_clock::now()).count();
    expires = static_cast<int>(std::clamp<long long>(left, 60, expires));
  }
  auto q = presign_query(sr, creds, SigningScope{region_for(bucket), "s3", amz_date(std::chrono::system_clock::now())},
                         expires);
  return t.base + t.path + "?" + q;
}

}  // namespace sextant::artifacts::s3
