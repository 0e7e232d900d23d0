// The legacy "logged model history" of a run (MLflow's LogModel RPC, POST runs/log-model): the
// run tag mlflow.log-model.history holds a JSON list with one entry per logged model, written as
// MLflow's SqlAlchemyStore.record_logged_model writes it (Python's json.dumps of
// Model.get_tags_dict()). Pure; errors are core::MlflowError(INVALID_PARAMETER_VALUE).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace sextant::api {

inline constexpr const char* kLoggedModelsTag = "mlflow.log-model.history";

// The history entry for a model given as MLflow's model JSON (an MLmodel file as JSON), refusing
// what MLflow's _log_model handler refuses ("Malformed model info...", "Model json is missing
// mandatory fields: {...}"): keys run_id, artifact_path (each unless null), utc_time_created
// (as Python's str(); `now_utc` when absent or falsy, "YYYY-MM-DD HH:MM:SS.ffffff"), model_uuid
// and flavors (each flavor's "config" member dropped), in that order.
nlohmann::ordered_json logged_model_entry(std::string_view model_json, const std::string& now_utc);

// The tag value after appending `entry` to `previous` (the tag's current value, if any): a JSON
// list in Python's json.dumps form. Refuses a previous value that is not a JSON list and a result
// longer than MLflow's tag value limit (8000 characters).
std::string appended_model_history(const std::optional<std::string>& previous, const nlohmann::ordered_json& entry);

// Python's str(datetime.now(timezone.utc).replace(tzinfo=None)) for the given Unix time in
// microseconds: "2026-12-07 21:04:49.123456" (no fraction when it is zero).
std::string python_utc_timestamp(std::int64_t unix_micros);

}  // namespace sextant::api
