// Trace info JSON as MLflow 3.6 prints and reads it (docs/design/tracing/rest-traces.md §3.1, §8):
// TraceInfoV3 (RFC 3339 request_time, "N.NNNs" durations, maps, assessments) and the legacy v2
// TraceInfo (ms numbers, key/value lists). Output keys and values are cut as MLflow's to_proto cuts
// them (tags 250/4096 characters, metadata 250/250); the database keeps them whole.
#pragma once

#include <nlohmann/json.hpp>

#include "core/trace.hpp"

namespace sextant::api {

nlohmann::json trace_info_v3_json(const core::TraceInfo& info);
nlohmann::json trace_info_v2_json(const core::TraceInfo& info);

// A TraceInfoV3 from a request (StartTraceV3's trace.trace_info; snake_case or lowerCamelCase
// names, protobuf's JSON forms). Throws INVALID_PARAMETER_VALUE naming the field at `path` when
// a field has the wrong type or form, or the trace id or experiment is missing.
core::TraceInfo trace_info_v3_from_json(const nlohmann::json& object, const std::string& path);

// The v2 TraceStatus name of a stored state and back (STATE_UNSPECIFIED <-> TRACE_STATUS_UNSPECIFIED).
std::string trace_status_v2(const std::string& state);
// A v3 TraceState or v2 TraceStatus enum value in a request (name or number) as stored;
// INVALID_PARAMETER_VALUE for anything else.
std::string parse_trace_state(const nlohmann::json& value, const std::string& path, bool v2);

}  // namespace sextant::api
