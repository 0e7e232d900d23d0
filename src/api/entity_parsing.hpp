// Parsing and validating the metric/param/tag entries of logging requests (§2.3, §4).
// `path` is the field path used in error messages ("metrics[3]", or "" for single calls).
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "core/entities.hpp"
#include "store/tracking_store.hpp"

namespace sextant::api {

core::Metric parse_metric(const nlohmann::json& obj, const std::string& path);
core::Param parse_param(const nlohmann::json& obj, const std::string& path);
core::Tag parse_run_tag(const nlohmann::json& obj, const std::string& path);

// Validation of already-extracted values (shared by single and batch calls).
void validate_metric(const core::Metric& m, const std::string& path);
core::Param validated_param(std::string key, std::string value, const std::string& path);
core::Tag validated_run_tag(std::string key, std::string value, const std::string& path);
// The name of a new run as MLflow's create_run decides it from the requested `name` ("" = none)
// and an mlflow.runName tag in run.tags (a random name when neither), sets run.run_name and the tag.
void resolve_run_name(store::NewRun& run, const std::string& name);

}  // namespace sextant::api
