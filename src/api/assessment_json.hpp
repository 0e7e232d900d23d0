// Assessment JSON as MLflow 3.6 prints and reads it (docs/design/tracing/rest-traces.md §3.4, §7).
// Used by the assessment routes and inside every TraceInfoV3 (trace_info.assessments).
#pragma once

#include <nlohmann/json.hpp>

#include "core/trace.hpp"

namespace sextant::api {

// The Assessment message (assessment_id, assessment_name, trace_id, source, create_time, ...,
// feedback|expectation, valid always printed).
nlohmann::json assessment_to_json(const core::Assessment& assessment);

}  // namespace sextant::api
