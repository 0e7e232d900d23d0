// Entities -> MLflow's JSON (mlflow-api.md §1.3): snake_case names, int64 as numbers, enums by
// name, non-finite doubles as "NaN"/"Infinity"/"-Infinity", unset fields and empty lists omitted.
#pragma once

#include <nlohmann/json.hpp>

#include "core/entities.hpp"
#include "core/logged_model.hpp"

namespace sextant::api {

nlohmann::json to_json(const core::Experiment& e);
nlohmann::json to_json(const core::RunInfo& info);
nlohmann::json to_json(const core::Run& run);
nlohmann::json to_json(const core::Metric& m);
nlohmann::json to_json(const core::FileInfo& f);
// {"info": {...}, "data": {params?, metrics?}} (§2.6).
nlohmann::json to_json(const core::LoggedModel& m);
nlohmann::json to_json_double(double v);
// {"metrics": [...]} ({} when empty), the same text as dumping to_json of each metric, written
// straight into a string: metric histories run to tens of thousands of rows per answer.
std::string metrics_json_text(const std::vector<core::Metric>& metrics);
nlohmann::json tags_to_json(const std::vector<core::Tag>& tags);

}  // namespace sextant::api
