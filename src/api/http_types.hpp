// Transport-neutral request and response types exchanged between http/ and api/.
// http/ fills ApiRequest from the wire; api/ handlers return ApiResponse. No Boost here.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "artifacts/byte_source.hpp"
#include "auth/principal.hpp"

namespace sextant::api {

struct ApiRequest {
  std::string method;  // upper case: GET, POST, PUT, PATCH, DELETE, HEAD
  std::string path;    // URL path, percent-decoded exactly once
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  std::string content_type;       // header value, may be empty
  bool has_content_type = false;
  std::string body;                // whole body (non-streaming routes)
  artifacts::ByteSource* body_stream = nullptr;  // streaming routes only; owned by http/
  std::string route_tail;          // for prefix routes: the rest of the path after the prefix
  std::vector<std::pair<std::string, std::string>> path_params;  // for pattern routes: {name} -> segment
  std::optional<auth::Principal> principal;  // who is calling, when authentication is on
  std::string remote_address;                // the client: TCP peer, or behind --real-ip-from load
                                             // balancers the X-Forwarded-For client (back-off, audit)
  std::string host;                          // Host header (the browser login derives its callback URL)
  std::string cookie;                        // Cookie header (the browser logout reads the session)
  std::string range;                         // Range header (artifact downloads), may be empty
  std::string accept_encoding;               // Accept-Encoding (the UI's precompressed assets)
  std::string content_encoding;              // Content-Encoding (OTLP ingest bodies), may be empty
  std::optional<std::string> mlflow_experiment_id;  // x-mlflow-experiment-id (OTLP ingest), when sent

  // The value of path parameter `name` ("" when the route has none of that name).
  std::string path_param(std::string_view name) const {
    for (const auto& [k, v] : path_params)
      if (k == name) return v;
    return {};
  }
};

// A response body produced after the headers are sent (downloads from S3, byte ranges, large
// JSON such as a trace's spans): `produce` pushes exactly `length` bytes into the sink, or throws /
// stops early, in which case http/ closes the connection (the client sees a short body, never a
// wrong one). With `unknown_length` the body is as long as `produce` makes it: sent chunked
// (HTTP/1.1; a failure then leaves the chunked body unterminated) or until the connection closes
// (HTTP/1.0).
struct StreamedBody {
  std::uint64_t length = 0;
  bool unknown_length = false;
  std::function<void(artifacts::ByteSink&)> produce;
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::optional<std::filesystem::path> file;  // when set, the body is streamed from this file
  std::shared_ptr<StreamedBody> stream;       // when set (and no file), the body comes from here
  std::vector<std::pair<std::string, std::string>> headers;

  static ApiResponse json(std::string body, int status = 200) {
    ApiResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
  }
  static ApiResponse text(std::string body, int status = 200, std::string type = "text/plain; charset=utf-8") {
    ApiResponse r;
    r.status = status;
    r.content_type = std::move(type);
    r.body = std::move(body);
    return r;
  }
};

}  // namespace sextant::api
