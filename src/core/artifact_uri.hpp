// MLflow's artifact URI rules (mlflow-api.md §5.7). Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace sextant::core {

// Joins path parts onto a base URI: strips trailing '/' of the base path, adds "/part", keeps
// scheme, netloc and query of the base. "mlflow-artifacts:/" + "1" -> "mlflow-artifacts:/1".
std::string artifact_uri_join(std::string_view base, std::string_view part);

// For a proxied URI ("mlflow-artifacts:/p", "mlflow-artifacts://host/p", or an http(s) URL
// containing "/api/2.0/mlflow-artifacts/artifacts/"), the path relative to the artifacts
// destination; otherwise false.
bool proxied_artifact_path(std::string_view uri, std::string& path_out);

}  // namespace sextant::core
