// Assessments on traces (docs/design/tracing/rest-traces.md §7): CreateAssessment,
// GetAssessmentRequest, UpdateAssessment, DeleteAssessment under /api/3.0/mlflow/traces/{trace_id}/
// assessments (and /ajax-api/3.0). Registered only when services.traces is set.
#include <nlohmann/json.hpp>

#include "api/assessment_json.hpp"
#include "api/params.hpp"
#include "api/routes.hpp"
#include "core/error.hpp"
#include "util/strings.hpp"

namespace sextant::api {

using nlohmann::json;

namespace {

const json& assessment_message(const Params& p) {
  const json* message = p.raw("assessment");
  if (!message) throw_missing("assessment");
  return *message;
}

// lowerCamelCase FieldMask path -> the proto field name ("assessmentName" -> "assessment_name").
std::string snake_case(std::string_view path) {
  std::string out;
  for (char c : path) {
    if (c >= 'A' && c <= 'Z') {
      out += '_';
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += c;
    }
  }
  return out;
}

// UpdateAssessment's update_mask: a google.protobuf.FieldMask, in JSON one comma-separated string
// of lowerCamelCase paths ("assessmentName,feedback"); snake_case paths and {"paths": [...]} are
// read too. Required.
std::vector<std::string> update_mask(const Params& p) {
  const json* mask = p.raw("update_mask");
  std::vector<std::string> paths;
  if (mask && mask->is_string()) {
    for (const auto& part : util::split(mask->get<std::string>(), ',')) {
      auto path = util::trim(part);
      if (!path.empty()) paths.push_back(snake_case(path));
    }
  } else if (mask && mask->is_object()) {
    for (const auto& path : json_list(json_field(*mask, "paths"), "update_mask.paths")) {
      if (!path.is_string()) throw_invalid_type(path, "update_mask.paths");
      paths.push_back(snake_case(path.get<std::string>()));
    }
  } else if (mask) {
    throw_invalid_type(*mask, "update_mask");
  }
  if (paths.empty()) throw_missing("update_mask");
  return paths;
}

// Feedback.from_proto / Expectation.from_proto on the request's message, as UpdateAssessment's
// handler calls them for a masked `feedback` / `expectation` (the other kind reads as no value).
void check_masked_value(core::Assessment a, const std::string& kind) {
  if (a.assessment_type != kind) {
    a.assessment_type = kind;
    a.value = "null";
    a.error.reset();
  }
  check_assessment_value(a);
}

ApiResponse assessment_response(const core::Assessment& a) {
  return ApiResponse::json(json{{"assessment", assessment_to_json(a)}}.dump());
}

}  // namespace

void register_assessment_routes(RpcRegistrar& reg, Services& services) {
  if (!services.traces) return;
  store::TraceStore& store = *services.traces;

  reg.rpc_v3("POST", "/traces/{trace_id}/assessments", [&store](const ApiRequest& req) {
    Params p(req);
    core::Assessment a = assessment_from_json(assessment_message(p));
    a.trace_id = req.path_param("trace_id");  // the path's trace, whatever the body says
    if (a.assessment_type.empty()) core::throw_invalid("Unknown assessment type: None");
    check_assessment_value(a);
    if (a.assessment_type == "expectation") {  // Expectation.from_proto reads neither
      a.rationale.reset();
      a.overrides.reset();
    }
    return assessment_response(store.create_assessment(a));
  });

  reg.rpc_v3("GET", "/traces/{trace_id}/assessments/{assessment_id}", [&store](const ApiRequest& req) {
    return assessment_response(store.get_assessment(req.path_param("trace_id"), req.path_param("assessment_id")));
  });

  reg.rpc_v3("PATCH", "/traces/{trace_id}/assessments/{assessment_id}", [&store](const ApiRequest& req) {
    Params p(req);
    const json& message = assessment_message(p);
    auto fields = update_mask(p);
    core::Assessment a = assessment_from_json(message);
    a.trace_id = req.path_param("trace_id");
    a.assessment_id = req.path_param("assessment_id");
    for (const auto& field : fields) {
      if (field == "feedback" || field == "expectation") check_masked_value(a, field);
    }
    return assessment_response(store.update_assessment(a, fields));
  });

  reg.rpc_v3("DELETE", "/traces/{trace_id}/assessments/{assessment_id}", [&store](const ApiRequest& req) {
    store.delete_assessment(req.path_param("trace_id"), req.path_param("assessment_id"));
    return ApiResponse::json("{}");
  });
}

}  // namespace sextant::api
