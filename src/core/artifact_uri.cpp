#include "core/artifact_uri.hpp"

namespace sextant::core {

std::string artifact_uri_join(std::string_view base, std::string_view part) {
  std::string_view query;
  auto scheme_pos = base.find("://");
  auto qpos = base.find('?', scheme_pos == std::string_view::npos ? 0 : scheme_pos);
  if (qpos != std::string_view::npos) {
    query = base.substr(qpos);
    base = base.substr(0, qpos);
  }
  std::string out(base);
  if (!out.ends_with(":/")) {  // "mlflow-artifacts:/" + "1" -> "mlflow-artifacts:/1"
    while (!out.empty() && out.back() == '/') out.pop_back();
    out += '/';
  }
  while (!part.empty() && part.front() == '/') part.remove_prefix(1);
  out += part;
  out += query;
  return out;
}

bool proxied_artifact_path(std::string_view uri, std::string& path_out) {
  constexpr std::string_view kScheme = "mlflow-artifacts:";
  if (uri.starts_with(kScheme)) {
    auto rest = uri.substr(kScheme.size());
    if (rest.starts_with("//")) {
      rest.remove_prefix(2);
      auto slash = rest.find('/');
      rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
    }
    while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
    path_out = std::string(rest);
    return true;
  }
  if (uri.starts_with("http://") || uri.starts_with("https://")) {
    constexpr std::string_view kMarker = "/api/2.0/mlflow-artifacts/artifacts";
    auto pos = uri.find(kMarker);
    if (pos == std::string_view::npos) return false;
    auto rest = uri.substr(pos + kMarker.size());
    while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
    path_out = std::string(rest);
    return true;
  }
  return false;
}

}  // namespace sextant::core
