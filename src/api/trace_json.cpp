#include "api/trace_json.hpp"

#include "api/assessment_json.hpp"
#include "api/params.hpp"
#include "core/error.hpp"
#include "util/proto_time.hpp"
#include "util/strings.hpp"

namespace sextant::api {

using nlohmann::json;

namespace {

// MLflow's output cuts (entities/trace_info.py: _truncate_tags / _truncate_request_metadata).
constexpr std::size_t kMaxKeyChars = 250;
constexpr std::size_t kMaxTagValueChars = 4096;
constexpr std::size_t kMaxMetadataValueChars = 250;

json cut_map(const std::vector<core::Tag>& entries, std::size_t max_value) {
  json out = json::object();
  for (const auto& e : entries) out[util::utf8_truncate(e.key, kMaxKeyChars)] = util::utf8_truncate(e.value, max_value);
  return out;
}

json cut_list(const std::vector<core::Tag>& entries, std::size_t max_value) {
  json out = json::array();
  for (const auto& e : entries) {
    out.push_back({{"key", util::utf8_truncate(e.key, kMaxKeyChars)}, {"value", util::utf8_truncate(e.value, max_value)}});
  }
  return out;
}

constexpr const char* kStates[] = {core::kTraceStateUnspecified, core::kTraceStateOk, core::kTraceStateError,
                                   core::kTraceStateInProgress};

std::string member_path(const std::string& path, const char* name) { return path.empty() ? name : path + "." + name; }

std::optional<std::string> string_field(const json& obj, const char* name, const std::string& path) {
  const json* v = json_field(obj, name);
  if (!v) return std::nullopt;
  if (!v->is_string()) throw_invalid_type(*v, member_path(path, name));
  return v->get<std::string>();
}

std::vector<core::Tag> string_map(const json& obj, const char* name, const std::string& path) {
  std::vector<core::Tag> out;
  const json* v = json_field(obj, name);
  if (!v) return out;
  if (!v->is_object()) throw_invalid_type(*v, member_path(path, name));
  for (const auto& [k, value] : v->items()) {
    if (!value.is_string()) throw_invalid_type(value, member_path(path, name) + "." + k);
    out.push_back({k, value.get<std::string>()});
  }
  return out;
}

}  // namespace

std::string trace_status_v2(const std::string& state) {
  return state == core::kTraceStateUnspecified ? "TRACE_STATUS_UNSPECIFIED" : state;
}

std::string parse_trace_state(const json& value, const std::string& path, bool v2) {
  if (value.is_number_integer() && !value.is_number_unsigned()) {
    auto n = value.get<std::int64_t>();
    if (n >= 0 && n < 4) return kStates[n];
  } else if (value.is_number_unsigned()) {
    auto n = value.get<std::uint64_t>();
    if (n < 4) return kStates[n];
  } else if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    if (s == (v2 ? "TRACE_STATUS_UNSPECIFIED" : core::kTraceStateUnspecified)) return core::kTraceStateUnspecified;
    for (std::size_t i = 1; i < 4; ++i)
      if (s == kStates[i]) return kStates[i];
  }
  throw_invalid_type(value, path);
}

json trace_info_v3_json(const core::TraceInfo& t) {
  json out = json::object();
  out["trace_id"] = t.trace_id;
  if (t.client_request_id) out["client_request_id"] = *t.client_request_id;
  out["trace_location"] = {{"type", "MLFLOW_EXPERIMENT"}, {"mlflow_experiment", {{"experiment_id", t.experiment_id}}}};
  if (t.request_preview) out["request_preview"] = *t.request_preview;
  if (t.response_preview) out["response_preview"] = *t.response_preview;
  out["request_time"] = util::timestamp_json(t.timestamp_ms);
  if (t.execution_time_ms) out["execution_duration"] = util::duration_json(*t.execution_time_ms);
  out["state"] = t.state;
  if (!t.metadata.empty()) out["trace_metadata"] = cut_map(t.metadata, kMaxMetadataValueChars);
  if (!t.tags.empty()) out["tags"] = cut_map(t.tags, kMaxTagValueChars);
  if (!t.assessments.empty()) {
    json list = json::array();
    for (const auto& a : t.assessments) list.push_back(assessment_to_json(a));
    out["assessments"] = std::move(list);
  }
  return out;
}

json trace_info_v2_json(const core::TraceInfo& t) {
  json out = {{"request_id", t.trace_id},
              {"experiment_id", t.experiment_id},
              {"timestamp_ms", t.timestamp_ms},
              {"execution_time_ms", t.execution_time_ms.value_or(0)},
              {"status", trace_status_v2(t.state)}};
  if (!t.metadata.empty()) out["request_metadata"] = cut_list(t.metadata, kMaxMetadataValueChars);
  if (!t.tags.empty()) out["tags"] = cut_list(t.tags, kMaxTagValueChars);
  return out;
}

core::TraceInfo trace_info_v3_from_json(const json& obj, const std::string& path) {
  core::TraceInfo t;
  if (!obj.is_object()) throw_invalid_type(obj, path);
  t.trace_id = string_field(obj, "trace_id", path).value_or("");
  if (t.trace_id.empty()) throw_missing(member_path(path, "trace_id"));
  t.client_request_id = string_field(obj, "client_request_id", path);
  t.request_preview = string_field(obj, "request_preview", path);
  t.response_preview = string_field(obj, "response_preview", path);

  const std::string location_path = member_path(path, "trace_location");
  const json* location = json_field(obj, "trace_location");
  const json* experiment = location && location->is_object() ? json_field(*location, "mlflow_experiment") : nullptr;
  if (location && !location->is_object()) throw_invalid_type(*location, location_path);
  if (experiment && !experiment->is_object()) throw_invalid_type(*experiment, location_path + ".mlflow_experiment");
  auto experiment_id = experiment ? json_str(*experiment, "experiment_id") : std::nullopt;
  if (!experiment_id || experiment_id->empty()) throw_missing(location_path + ".mlflow_experiment.experiment_id");
  t.experiment_id = *experiment_id;

  if (const json* v = json_field(obj, "request_time")) {
    auto ms = v->is_string() ? util::parse_timestamp_json(v->get_ref<const std::string&>()) : std::nullopt;
    if (!ms) throw_invalid_type(*v, member_path(path, "request_time"));
    t.timestamp_ms = *ms;
  }
  if (const json* v = json_field(obj, "execution_duration")) {
    auto ms = v->is_string() ? util::parse_duration_json(v->get_ref<const std::string&>()) : std::nullopt;
    if (!ms) throw_invalid_type(*v, member_path(path, "execution_duration"));
    t.execution_time_ms = *ms;
  }
  if (const json* v = json_field(obj, "state")) t.state = parse_trace_state(*v, member_path(path, "state"), false);
  t.metadata = string_map(obj, "trace_metadata", path);
  t.tags = string_map(obj, "tags", path);
  const std::string assessments_path = member_path(path, "assessments");
  for (const auto& item : json_list(json_field(obj, "assessments"), assessments_path)) {
    auto a = assessment_from_json(item, assessments_path);
    if (a.assessment_type.empty()) core::throw_invalid("Unknown assessment type: None");
    check_assessment_value(a);
    a.trace_id = t.trace_id;  // stored on this trace whatever the message says
    t.assessments.push_back(std::move(a));
  }
  return t;
}

}  // namespace sextant::api
