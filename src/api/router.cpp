#include "api/router.hpp"

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "util/strings.hpp"

namespace sextant::api {

void Router::add(const std::string& method, const std::string& path, Handler handler, bool streaming) {
  add(method, path, auth::Policy::Unspecified, std::move(handler), streaming);
}

void Router::add(const std::string& method, const std::string& path, auth::Policy policy, Handler handler,
                 bool streaming) {
  exact_[path][method] = Route{std::move(handler), streaming, policy, path};
}

void Router::add_prefix(const std::string& method, const std::string& prefix, Handler handler, bool streaming) {
  add_prefix(method, prefix, auth::Policy::Unspecified, std::move(handler), streaming);
}

void Router::add_prefix(const std::string& method, const std::string& prefix, auth::Policy policy, Handler handler,
                        bool streaming) {
  for (auto& [p, methods] : prefixes_) {
    if (p == prefix) {
      methods[method] = Route{std::move(handler), streaming, policy, prefix + "*"};
      return;
    }
  }
  prefixes_.push_back({prefix, {{method, Route{std::move(handler), streaming, policy, prefix + "*"}}}});
}

namespace {

std::vector<std::string_view> split_segments(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    auto slash = path.find('/', start);
    out.push_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

bool is_parameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::add_pattern(const std::string& method, const std::string& pattern, Handler handler, bool streaming) {
  add_pattern(method, pattern, auth::Policy::Unspecified, std::move(handler), streaming);
}

void Router::add_pattern(const std::string& method, const std::string& pattern, auth::Policy policy, Handler handler,
                         bool streaming) {
  std::vector<std::string> segments;
  for (auto s : split_segments(pattern)) segments.emplace_back(s);
  for (auto& p : patterns_) {
    if (p.segments == segments) {
      p.methods[method] = Route{std::move(handler), streaming, policy, pattern};
      return;
    }
  }
  patterns_.push_back({std::move(segments), {{method, Route{std::move(handler), streaming, policy, pattern}}}});
}

std::vector<RouteInfo> Router::routes() const {
  std::vector<RouteInfo> out;
  for (const auto& [path, methods] : exact_)
    for (const auto& [m, r] : methods) out.push_back({m, path, "exact", r.policy, r.streaming_body});
  for (const auto& p : patterns_) {
    std::string path;
    for (std::size_t i = 0; i < p.segments.size(); ++i) path += (i ? "/" : "") + p.segments[i];
    for (const auto& [m, r] : p.methods) out.push_back({m, path, "pattern", r.policy, r.streaming_body});
  }
  for (const auto& [prefix, methods] : prefixes_)
    for (const auto& [m, r] : methods) out.push_back({m, prefix, "prefix", r.policy, r.streaming_body});
  return out;
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match result = match_path(method, path);
  if (result.kind != Match::Kind::NotFound || path.find("//") == std::string_view::npos) return result;
  std::string merged;
  for (char c : path)
    if (!(c == '/' && !merged.empty() && merged.back() == '/')) merged += c;
  Match again = match_path(method, merged);
  if (again.kind == Match::Kind::Found) again.merged_path = std::move(merged);
  return again;
}

Router::Match Router::match_path(std::string_view method, std::string_view path) const {
  std::string m(method == "HEAD" ? "GET" : method);
  Match result;
  bool path_known = false;
  auto it = exact_.find(path);
  if (it != exact_.end()) {
    auto r = it->second.find(m);
    if (r != it->second.end()) {
      result.kind = Match::Kind::Found;
      result.route = &r->second;
      return result;
    }
    path_known = true;
  }
  if (!patterns_.empty()) {
    auto segments = split_segments(path);
    const Pattern* best = nullptr;
    std::size_t best_static_prefix = 0;
    for (const auto& p : patterns_) {
      if (p.segments.size() != segments.size()) continue;
      bool ok = true;
      std::size_t static_prefix = 0;
      bool counting = true;
      for (std::size_t i = 0; i < segments.size() && ok; ++i) {
        if (is_parameter(p.segments[i])) {
          ok = !segments[i].empty();
          counting = false;
        } else {
          ok = segments[i] == p.segments[i];
          if (counting) ++static_prefix;
        }
      }
      if (!ok) continue;
      path_known = true;
      if (p.methods.find(m) == p.methods.end()) continue;
      if (!best || static_prefix > best_static_prefix) {
        best = &p;
        best_static_prefix = static_prefix;
      }
    }
    if (best) {
      result.kind = Match::Kind::Found;
      result.route = &best->methods.find(m)->second;
      for (std::size_t i = 0; i < segments.size(); ++i) {
        const auto& s = best->segments[i];
        if (is_parameter(s)) result.params.emplace_back(s.substr(1, s.size() - 2), std::string(segments[i]));
      }
      return result;
    }
  }
  for (const auto& [prefix, methods] : prefixes_) {
    if (path.size() > prefix.size() && path.starts_with(prefix)) {
      auto r = methods.find(m);
      if (r == methods.end()) {
        path_known = true;
        break;
      }
      result.kind = Match::Kind::Found;
      result.route = &r->second;
      result.tail = std::string(path.substr(prefix.size()));
      return result;
    }
  }
  if (path_known) result.kind = Match::Kind::MethodNotAllowed;
  return result;
}

ApiResponse invoke(const Route& route, const ApiRequest& request) {
  // Messages may quote client bytes (and nlohmann's what() may too): escaped to valid UTF-8 so
  // the error body always serialises; `replace` is the belt to that brace.
  auto error = [](core::ErrorCode code, const std::string& message) {
    nlohmann::json body = {{"error_code", std::string(core::error_code_name(code))},
                           {"message", util::utf8_escape_invalid(message)}};
    return ApiResponse::json(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                             core::http_status_for(code));
  };
  try {
    return route.handler(request);
  } catch (const core::MlflowError& e) {
    return error(e.code(), e.what());
  } catch (const nlohmann::json::exception& e) {
    return error(core::ErrorCode::INVALID_PARAMETER_VALUE, std::string("Invalid request: ") + e.what());
  } catch (const std::exception& e) {
    return error(core::ErrorCode::INTERNAL_ERROR, e.what());
  }
}

}  // namespace sextant::api
