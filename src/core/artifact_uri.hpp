// MLflow's artifact URI rules (mlflow-api.md §5.7). Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sextant::core {

// Joins path parts onto a base URI: strips trailing '/' of the base path, adds "/part", keeps
// scheme, netloc and query of the base. "mlflow-artifacts:/" + "1" -> "mlflow-artifacts:/1".
std::string artifact_uri_join(std::string_view base, std::string_view part);

// For a proxied URI ("mlflow-artifacts:/p", "mlflow-artifacts://host/p", or an http(s) URL
// containing "/api/2.0/mlflow-artifacts/artifacts/"), the path relative to the artifacts
// destination; otherwise false.
bool proxied_artifact_path(std::string_view uri, std::string& path_out);

}  // namespace sextant::core

namespace sextant::core {

// An artifact location split for confinement checks. Local paths and file:// URIs have scheme
// "file"; "mlflow-artifacts:/x" has scheme "mlflow-artifacts" and no authority.
struct LocationParts {
  std::string scheme;                 // lower case
  std::string authority;              // bucket, host, container@account ... ("" for none)
  std::vector<std::string> segments;  // path segments, empty ones dropped
  std::string query;                  // after '?', "" for none
};

// Splits a location; nullopt when it is not something a root can contain: a relative path, a
// '.' or '..' segment (however often percent-encoded), a backslash, a control character, or an
// unknown form.
std::optional<LocationParts> split_location(std::string_view location);

// True when `location` is `root` or lies below it (same scheme, authority and query; root's
// segments a prefix of location's), with both accepted by split_location.
bool location_within(std::string_view location, std::string_view root);

}  // namespace sextant::core
