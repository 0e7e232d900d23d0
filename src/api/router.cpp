#include "api/router.hpp"

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace sextant::api {

void Router::add(const std::string& method, const std::string& path, Handler handler, bool streaming) {
  exact_[path][method] = Route{std::move(handler), streaming};
}

void Router::add_prefix(const std::string& method, const std::string& prefix, Handler handler, bool streaming) {
  for (auto& [p, methods] : prefixes_) {
    if (p == prefix) {
      methods[method] = Route{std::move(handler), streaming};
      return;
    }
  }
  prefixes_.push_back({prefix, {{method, Route{std::move(handler), streaming}}}});
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  std::string m(method == "HEAD" ? "GET" : method);
  Match result;
  auto it = exact_.find(path);
  if (it != exact_.end()) {
    auto r = it->second.find(m);
    if (r == it->second.end()) {
      result.kind = Match::Kind::MethodNotAllowed;
      return result;
    }
    result.kind = Match::Kind::Found;
    result.route = &r->second;
    return result;
  }
  for (const auto& [prefix, methods] : prefixes_) {
    if (path.size() > prefix.size() && path.starts_with(prefix)) {
      auto r = methods.find(m);
      if (r == methods.end()) {
        result.kind = Match::Kind::MethodNotAllowed;
        return result;
      }
      result.kind = Match::Kind::Found;
      result.route = &r->second;
      result.tail = std::string(path.substr(prefix.size()));
      return result;
    }
  }
  return result;
}

ApiResponse invoke(const Route& route, const ApiRequest& request) {
  auto error = [](core::ErrorCode code, const std::string& message) {
    nlohmann::json body = {{"error_code", std::string(core::error_code_name(code))}, {"message", message}};
    return ApiResponse::json(body.dump(), core::http_status_for(code));
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
