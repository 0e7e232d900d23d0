// The handler table: exact paths (MLflow's routing is exact-match), path patterns with
// one-segment parameters ("/logged-models/{model_id}/tags/{tag_key}") and a few prefix routes
// for artifact paths. Built once at start-up, then read-only (thread-safe to match concurrently).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_types.hpp"
#include "auth/policy.hpp"

namespace sextant::api {

using Handler = std::function<ApiResponse(const ApiRequest&)>;

struct Route {
  Handler handler;
  bool streaming_body = false;  // the handler reads ApiRequest::body_stream itself
  // Who may call it when authentication is on; Unspecified (no explicit policy) is refused.
  auth::Policy policy = auth::Policy::Unspecified;
  // The registered path, pattern ("{name}" segments) or prefix ("<prefix>*"): the bounded
  // route label of metrics and access logs.
  std::string name;
};

// One registered (method, path) for listing (`sextant routes`, tests).
struct RouteInfo {
  std::string method;
  std::string path;  // the exact path, the pattern ("{name}" segments) or the prefix
  std::string kind;  // "exact" | "pattern" | "prefix"
  auth::Policy policy;
  bool streaming;
};

class Router {
 public:
  // Each registration has an overload taking the route's access policy before the handler;
  // the ones without it register the route with Policy::Unspecified (refused when auth is on).
  void add(const std::string& method, const std::string& path, auth::Policy policy, Handler handler,
           bool streaming = false);
  void add_prefix(const std::string& method, const std::string& prefix, auth::Policy policy, Handler handler,
                  bool streaming = false);
  void add_pattern(const std::string& method, const std::string& pattern, auth::Policy policy, Handler handler,
                   bool streaming = false);

  void add(const std::string& method, const std::string& path, Handler handler, bool streaming = false);
  // Matches every path that starts with `prefix`; the rest is passed as ApiRequest::route_tail.
  void add_prefix(const std::string& method, const std::string& prefix, Handler handler, bool streaming = false);
  // Matches paths with the same '/'-separated segments as `pattern`, where a segment "{name}"
  // stands for any one non-empty segment (no '/'); the values go to ApiRequest::path_params.
  void add_pattern(const std::string& method, const std::string& pattern, Handler handler, bool streaming = false);

  struct Match {
    enum class Kind { Found, NotFound, MethodNotAllowed } kind = Kind::NotFound;
    const Route* route = nullptr;
    std::string tail;
    std::vector<std::pair<std::string, std::string>> params;
    // Set when only the path with '/' runs merged matched (werkzeug's merge_slashes): the
    // path the request is served as ("//model-versions/get-artifact" -> "/model-versions/...").
    std::string merged_path;
  };
  // HEAD is matched like GET. Like Flask/werkzeug: exact paths first, then patterns (the one
  // with the most leading static segments wins), then prefixes; a path known only under other
  // methods is MethodNotAllowed (so GET /logged-models/search reaches GET /logged-models/{id}).
  // A path that matches nothing is tried again with runs of '/' merged, as werkzeug does.
  Match match(std::string_view method, std::string_view path) const;

  // Every registered route (exact, then patterns, then prefixes), for auditing the policies.
  std::vector<RouteInfo> routes() const;

 private:
  Match match_path(std::string_view method, std::string_view path) const;

  struct Pattern {
    std::vector<std::string> segments;  // "{name}" for a parameter
    std::map<std::string, Route> methods;
  };
  std::map<std::string, std::map<std::string, Route>, std::less<>> exact_;
  std::vector<Pattern> patterns_;
  std::vector<std::pair<std::string, std::map<std::string, Route>>> prefixes_;
};

// Runs the handler, turning any exception into MLflow's error JSON with the right status.
ApiResponse invoke(const Route& route, const ApiRequest& request);

}  // namespace sextant::api
