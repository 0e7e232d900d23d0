#include "core/artifact_uri.hpp"

#include "util/url.hpp"

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

namespace sextant::core {

namespace {
std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool bad_segment(const std::string& raw) {
  std::string seg = raw;
  for (int i = 0; i < 16; ++i) {
    std::string decoded = util::percent_decode(seg);
    if (decoded == seg) break;
    seg = std::move(decoded);
  }
  if (seg == "." || seg == "..") return true;
  for (char c : seg) {
    if (c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  // A segment that decodes to several ("a%2F..%2Fb") must not hide a traversal either.
  if (seg.find('/') != std::string::npos) {
    std::size_t start = 0;
    while (start <= seg.size()) {
      auto end = seg.find('/', start);
      if (end == std::string::npos) end = seg.size();
      auto part = seg.substr(start, end - start);
      if (part == "." || part == "..") return true;
      start = end + 1;
    }
  }
  return false;
}
}  // namespace

std::optional<LocationParts> split_location(std::string_view location) {
  LocationParts p;
  std::string_view rest;
  if (location.starts_with("/")) {
    p.scheme = "file";
    rest = location;
  } else if (location.starts_with("mlflow-artifacts:")) {
    p.scheme = "mlflow-artifacts";
    rest = location.substr(17);
    if (rest.starts_with("//")) {  // mlflow-artifacts://host/path names another server
      rest.remove_prefix(2);
      auto slash = rest.find('/');
      p.authority = lower_ascii(rest.substr(0, slash));
      rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
    }
  } else {
    auto sep = location.find("://");
    if (sep == std::string_view::npos || sep == 0) return std::nullopt;
    p.scheme = lower_ascii(location.substr(0, sep));
    for (char c : p.scheme)
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')) return std::nullopt;
    rest = location.substr(sep + 3);
    auto slash = rest.find_first_of("/?");
    p.authority = std::string(rest.substr(0, slash));
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
    if (p.scheme == "file") {
      if (p.authority == "localhost") p.authority.clear();
      if (!p.authority.empty()) return std::nullopt;
    } else if (p.scheme == "s3" || p.scheme == "s3a" || p.scheme == "gs") {
      if (p.authority.empty()) return std::nullopt;
    } else {
      p.authority = lower_ascii(p.authority);
    }
    if (bad_segment(p.authority) || p.authority.find('\\') != std::string::npos) return std::nullopt;
  }
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    p.query = std::string(rest.substr(q + 1));
    rest = rest.substr(0, q);
  }
  if (rest.find('\\') != std::string_view::npos) return std::nullopt;
  std::size_t start = 0;
  while (start <= rest.size()) {
    auto end = rest.find('/', start);
    if (end == std::string_view::npos) end = rest.size();
    std::string seg(rest.substr(start, end - start));
    if (!seg.empty()) {
      if (bad_segment(seg)) return std::nullopt;
      if (p.scheme == "file" && !location.starts_with("/")) seg = util::percent_decode(seg);  // file:///a%20b = "/a b"
      p.segments.push_back(std::move(seg));
    }
    start = end + 1;
  }
  return p;
}

bool location_within(std::string_view location, std::string_view root) {
  auto l = split_location(location);
  auto r = split_location(root);
  if (!l || !r) return false;
  if (l->scheme != r->scheme || l->authority != r->authority || l->query != r->query) return false;
  if (l->segments.size() < r->segments.size()) return false;
  for (std::size_t i = 0; i < r->segments.size(); ++i)
    if (l->segments[i] != r->segments[i]) return false;
  return true;
}

}  // namespace sextant::core
