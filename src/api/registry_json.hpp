// Registry entities -> MLflow's JSON (mlflow-api.md §2.9 "Entity JSON", §1.3 presence rules).
#pragma once

#include <nlohmann/json.hpp>

#include "core/registry.hpp"

namespace sextant::api {

// version as a decimal string; description/run_id/run_link/source emitted whenever set (even
// ""), status_message only when non-empty; tags and aliases omitted when empty.
nlohmann::json to_json(const core::ModelVersion& v);
// description only when non-empty, last_updated_timestamp only when non-zero; aliases as
// {"alias", "version": "<n>"}.
nlohmann::json to_json(const core::RegisteredModel& m);

}  // namespace sextant::api
