#include "api/assessment_json.hpp"

#include <array>
#include <cctype>

#include "api/params.hpp"
#include "api/request_json.hpp"
#include "core/error.hpp"
#include "core/validation.hpp"
#include "util/proto_time.hpp"
#include "util/python_json.hpp"

namespace sextant::api {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

constexpr std::string_view kJsonFormat = "JSON_FORMAT";
constexpr std::string_view kSourceRunIdKey = "mlflow.assessment.sourceRunId";
constexpr std::array<std::string_view, 4> kSourceTypes = {"SOURCE_TYPE_UNSPECIFIED", "HUMAN", "LLM_JUDGE", "CODE"};
// AssessmentError.to_proto: stack traces longer than this keep their tail behind the prefix.
constexpr std::size_t kStackTraceLimit = 10000;
constexpr std::string_view kStackTracePrefix = "[Stack trace is truncated]\n...\n";
// Column widths of the assessments table.
constexpr std::size_t kMaxId = 50, kMaxName = 250, kMaxSourceId = 250, kMaxRunId = 32;

// ---------- output ----------

// A google.protobuf.Value as protobuf reads and prints it: every number a double (4 -> 4.0).
template <typename Out, typename In>
Out as_proto_value(const In& v) {
  if (v.is_number()) return v.template get<double>();
  if (v.is_array()) {
    Out out = Out::array();
    for (const auto& item : v) out.push_back(as_proto_value<Out>(item));
    return out;
  }
  if (v.is_object()) {
    Out out = Out::object();
    for (const auto& [k, item] : v.items()) out[k] = as_proto_value<Out>(item);
    return out;
  }
  return Out(v);
}

json value_json(const ordered_json& v) { return as_proto_value<json>(v); }

// A stored JSON column; a row that holds no JSON (written by hand) reads as its text.
ordered_json stored_json(const std::string& text) {
  auto parsed = ordered_json::parse(text, nullptr, false);
  if (parsed.is_discarded()) return text;
  return parsed;
}

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// The last `n` code points of valid UTF-8 `s`.
std::string_view tail_code_points(std::string_view s, std::size_t n) {
  std::size_t pos = s.size();
  while (pos > 0 && n > 0) {
    --pos;
    if ((static_cast<unsigned char>(s[pos]) & 0xC0) != 0x80) --n;
  }
  return s.substr(pos);
}

json error_json(const std::string& stored) {
  ordered_json e = stored_json(stored);
  json out = json::object();
  auto text = [&](const char* key) -> std::string {
    if (!e.is_object() || !e.contains(key)) return {};
    const auto& v = e[key];
    if (v.is_string()) return v.get<std::string>();
    return v.is_null() ? std::string() : util::python_str(v).value_or(v.dump());
  };
  out["error_code"] = text("error_code");
  if (auto message = text("error_message"); !message.empty()) out["error_message"] = message;
  if (auto trace = text("stack_trace"); !trace.empty()) {
    if (code_points(trace) > kStackTraceLimit) {
      trace = std::string(kStackTracePrefix) +
              std::string(tail_code_points(trace, kStackTraceLimit - code_points(kStackTracePrefix)));
    }
    out["stack_trace"] = trace;
  }
  return out;
}

json expectation_json(const std::string& stored) {
  ordered_json v = stored_json(stored);
  // ExpectationValue.to_proto: primitives travel as a Value, the rest as JSON_FORMAT text.
  if (v.is_number() || v.is_boolean() || v.is_string()) return {{"value", value_json(v)}};
  return {{"serialized_value", {{"serialization_format", kJsonFormat}, {"value", util::python_json_dumps(v)}}}};
}

// ---------- input ----------

const json* member(const json& obj, std::string_view name) { return json_field(obj, name); }

std::string path_of(std::string_view field, std::string_view name) { return std::string(field) + "." + std::string(name); }

std::optional<std::string> string_member(const json& obj, std::string_view name, std::string_view field) {
  const json* v = member(obj, name);
  if (!v) return std::nullopt;
  if (!v->is_string()) throw_invalid_type(*v, path_of(field, name));
  return v->get<std::string>();
}

// proto3-style "empty means unset" as MLflow's from_proto reads span_id, rationale, overrides.
std::optional<std::string> non_empty_member(const json& obj, std::string_view name, std::string_view field) {
  auto v = string_member(obj, name, field);
  if (v && v->empty()) return std::nullopt;
  return v;
}

const json& object_member(const json& v, const std::string& path) {
  if (!v.is_object()) throw_invalid_type(v, path);
  return v;
}

// The `value` member as stored: json.dumps of the Value; absent or null -> "null".
std::string stored_value(const json& obj) {
  auto it = obj.find("value");
  if (it == obj.end()) return "null";
  return util::python_json_dumps(as_proto_value<ordered_json>(*it));
}

std::string source_type_of(const json& v, const std::string& path) {
  if (v.is_number_integer() && v.get<std::int64_t>() >= 0 &&
      v.get<std::int64_t>() < static_cast<std::int64_t>(kSourceTypes.size())) {
    return std::string(kSourceTypes[static_cast<std::size_t>(v.get<std::int64_t>())]);
  }
  if (!v.is_string()) throw_invalid_type(v, path);
  // AssessmentSourceType._parse: case-insensitive, the legacy AI_JUDGE is LLM_JUDGE.
  std::string type = v.get<std::string>();
  for (char& c : type) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (type == "AI_JUDGE") type = "LLM_JUDGE";
  for (auto known : kSourceTypes)
    if (type == known) return type;
  core::throw_invalid("Invalid assessment source type: " + excerpt(json(type)) +
                      ". Valid source types: ['SOURCE_TYPE_UNSPECIFIED', 'LLM_JUDGE', 'HUMAN', 'CODE']");
}

std::int64_t timestamp_member(const json& obj, std::string_view name, std::string_view field) {
  const json* v = member(obj, name);
  if (!v) return 0;
  std::optional<std::int64_t> ms;
  if (v->is_string()) ms = util::parse_timestamp_json(v->get<std::string>());
  if (!ms) throw_invalid_type(*v, path_of(field, name));
  return *ms;
}

void read_feedback(const json& feedback, core::Assessment& a, std::string_view field) {
  std::string path = path_of(field, "feedback");
  object_member(feedback, path);
  a.assessment_type = "feedback";
  a.value = stored_value(feedback);
  if (const json* e = member(feedback, "error")) {
    std::string epath = path + ".error";
    object_member(*e, epath);
    // AssessmentError.to_dictionary, as MLflow stores it (empty message/trace read as None).
    ordered_json stored = ordered_json::object();
    stored["error_code"] = string_member(*e, "error_code", epath).value_or("");
    auto message = non_empty_member(*e, "error_message", epath);
    auto trace = non_empty_member(*e, "stack_trace", epath);
    stored["error_message"] = message ? ordered_json(*message) : ordered_json(nullptr);
    stored["stack_trace"] = trace ? ordered_json(*trace) : ordered_json(nullptr);
    a.error = util::python_json_dumps(stored);
  }
}

void read_expectation(const json& expectation, core::Assessment& a, std::string_view field) {
  std::string path = path_of(field, "expectation");
  object_member(expectation, path);
  a.assessment_type = "expectation";
  const json* serialized = member(expectation, "serialized_value");
  if (!serialized) {
    a.value = stored_value(expectation);
    return;
  }
  std::string spath = path + ".serialized_value";
  object_member(*serialized, spath);
  auto format = string_member(*serialized, "serialization_format", spath).value_or("");
  if (format != kJsonFormat) {
    core::throw_invalid("Unknown serialization format: " + format + ". Only JSON_FORMAT is supported.");
  }
  auto text = string_member(*serialized, "value", spath).value_or("");
  ordered_json parsed = decode_request_json_ordered(text);
  if (parsed.is_discarded()) {
    core::throw_invalid("Invalid value for parameter '" + spath + ".value': not JSON text.");
  }
  a.value = util::python_json_dumps(parsed);
}

}  // namespace

json assessment_to_json(const core::Assessment& a) {
  json out = json::object();
  if (!a.assessment_id.empty()) out["assessment_id"] = a.assessment_id;
  out["assessment_name"] = a.name;
  out["trace_id"] = a.trace_id;
  if (a.span_id) out["span_id"] = *a.span_id;
  json source = {{"source_type", a.source.source_type}};
  if (!a.source.source_id.empty()) source["source_id"] = a.source.source_id;
  out["source"] = std::move(source);
  out["create_time"] = util::timestamp_json(a.created_timestamp);
  out["last_update_time"] = util::timestamp_json(a.last_updated_timestamp);
  if (a.assessment_type == "expectation") {
    out["expectation"] = expectation_json(a.value);
  } else {
    json feedback = {{"value", value_json(stored_json(a.value))}};
    if (a.error) feedback["error"] = error_json(*a.error);
    out["feedback"] = std::move(feedback);
  }
  // Expectations carry no rationale (SqlAssessments.to_mlflow_entity drops it).
  if (a.rationale && a.assessment_type != "expectation") out["rationale"] = *a.rationale;
  if (a.metadata) {
    ordered_json m = stored_json(*a.metadata);
    if (m.is_object() && !m.empty()) {
      json meta = json::object();
      for (const auto& [k, v] : m.items()) meta[k] = v.is_string() ? v.get<std::string>() : util::python_str(v).value_or(v.dump());
      out["metadata"] = std::move(meta);
    }
  }
  if (a.overrides && !a.overrides->empty()) out["overrides"] = *a.overrides;
  out["valid"] = a.valid;
  return out;
}

core::Assessment assessment_from_json(const json& message, std::string_view field) {
  object_member(message, std::string(field));
  core::Assessment a;
  a.assessment_id = string_member(message, "assessment_id", field).value_or("");
  a.name = string_member(message, "assessment_name", field).value_or("");
  a.trace_id = string_member(message, "trace_id", field).value_or("");
  a.span_id = non_empty_member(message, "span_id", field);
  if (const json* source = member(message, "source")) {
    std::string path = path_of(field, "source");
    object_member(*source, path);
    if (const json* type = member(*source, "source_type")) a.source.source_type = source_type_of(*type, path + ".source_type");
    a.source.source_id = string_member(*source, "source_id", path).value_or("");
  }
  a.created_timestamp = timestamp_member(message, "create_time", field);
  a.last_updated_timestamp = timestamp_member(message, "last_update_time", field);
  const json* feedback = member(message, "feedback");
  const json* expectation = member(message, "expectation");
  if (feedback && expectation) core::throw_invalid("Cannot specify both `expectation` and `feedback` parameters.");
  if (feedback) read_feedback(*feedback, a, field);
  if (expectation) read_expectation(*expectation, a, field);
  a.rationale = non_empty_member(message, "rationale", field);
  if (const json* meta = member(message, "metadata")) {
    std::string path = path_of(field, "metadata");
    object_member(*meta, path);
    ordered_json stored = ordered_json::object();
    for (const auto& [k, v] : meta->items()) {
      if (!v.is_string()) throw_invalid_type(v, path + "." + k);
      stored[k] = v.get<std::string>();
    }
    if (!stored.empty()) {
      a.metadata = util::python_json_dumps(stored);
      if (auto it = stored.find(kSourceRunIdKey); it != stored.end()) a.run_id = it->get<std::string>();
    }
  }
  a.overrides = non_empty_member(message, "overrides", field);
  if (const json* valid = member(message, "valid")) {
    if (!valid->is_boolean()) throw_invalid_type(*valid, path_of(field, "valid"));
    a.valid = valid->get<bool>();
  }

  core::validate_length(a.assessment_id, kMaxId, "assessment_id");
  core::validate_length(a.name, kMaxName, "assessment_name");
  core::validate_length(a.source.source_id, kMaxSourceId, "source_id");
  core::validate_length(a.span_id.value_or(""), kMaxId, "span_id");
  core::validate_length(a.overrides.value_or(""), kMaxId, "overrides");
  core::validate_length(a.run_id.value_or(""), kMaxRunId, std::string(kSourceRunIdKey));
  core::validate_text_column(a.value, "value");
  core::validate_text_column(a.error.value_or(""), "error");
  core::validate_text_column(a.rationale.value_or(""), "rationale");
  core::validate_text_column(a.metadata.value_or(""), "metadata");
  return a;
}

void check_assessment_value(const core::Assessment& a) {
  if (a.assessment_type == "feedback" && a.value == "null" && !a.error) {
    core::throw_invalid("Either `value` or `error` must be provided.");
  }
  if (a.assessment_type == "expectation" && a.value == "null") {
    core::throw_invalid("The `value` field must be specified.");
  }
}

}  // namespace sextant::api
