// Assessment JSON as MLflow 3.6 prints and reads it (docs/design/tracing/rest-traces.md §3.4, §7).
// Used by the assessment routes and inside every TraceInfoV3 (trace_info.assessments).
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "core/trace.hpp"

namespace sextant::api {

// The Assessment message (assessment_id, assessment_name, trace_id, source, create_time, ...,
// feedback|expectation, valid always printed).
nlohmann::json assessment_to_json(const core::Assessment& assessment);

// A request's Assessment message (CreateAssessment's / UpdateAssessment's `assessment`), as
// protobuf's ParseDict reads it (snake_case or lowerCamelCase names, unknown keys ignored), into
// the row it describes:
//  - assessment_type "feedback" / "expectation" ("" when neither), value = Python's json.dumps of
//    the value as MLflow stores it (google.protobuf.Value numbers are doubles: 4 -> "4.0"; an
//    expectation's serialized_value JSON_FORMAT text re-dumped; "null" when none), error =
//    {"error_code", "error_message", "stack_trace"} JSON or none;
//  - times 0 when not given, run_id from metadata mlflow.assessment.sourceRunId, valid as given
//    (default true); empty strings of span_id, rationale, overrides, source_id read as unset.
// Every wrong type, both feedback and expectation, an unknown source type or serialization
// format, a bad timestamp and a value longer than its column is INVALID_PARAMETER_VALUE.
// `field` names the message in error texts ("assessment").
core::Assessment assessment_from_json(const nlohmann::json& message, std::string_view field = "assessment");

// MLflow's entity rule for a feedback / expectation read from a request: a feedback needs a
// value or an error ("Either `value` or `error` must be provided."), an expectation a non-null
// value ("The `value` field must be specified."). INVALID_PARAMETER_VALUE otherwise.
void check_assessment_value(const core::Assessment& assessment);

}  // namespace sextant::api
