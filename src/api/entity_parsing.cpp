#include "api/entity_parsing.hpp"

#include <nlohmann/json.hpp>

#include "api/params.hpp"
#include "core/error.hpp"
#include "core/run_name.hpp"
#include "core/validation.hpp"

namespace sextant::api {

using nlohmann::json;

namespace {
std::string field(const std::string& path, const char* name) { return path.empty() ? name : path + "." + name; }
}  // namespace

void validate_metric(const core::Metric& m, const std::string& path) {
  core::validate_entity_key(m.key, field(path, "name"));
  core::validate_length(m.key, core::limits::kMaxEntityKey, "Metric name");
  if (m.timestamp < 0) {
    core::throw_invalid("Invalid value " + std::to_string(m.timestamp) + " for parameter '" + field(path, "timestamp") +
                        "' supplied: Timestamp must be a nonnegative long (64-bit integer) ");
  }
}

core::Param validated_param(std::string key, std::string value, const std::string& path) {
  core::validate_entity_key(key, field(path, "key"));
  core::validate_length(key, core::limits::kMaxEntityKey, "Param key");
  return {std::move(key), core::truncate_param_value(value)};
}

core::Tag validated_run_tag(std::string key, std::string value, const std::string& path) {
  core::validate_entity_key(key, field(path, "key"));
  core::validate_length(key, core::limits::kMaxEntityKey, "key");
  if (key == "mlflow.runName") core::validate_length(value, core::limits::kMaxRunName, "run_name");
  return {std::move(key), core::truncate_tag_value(value)};
}

core::Metric parse_metric(const json& obj, const std::string& path) {
  core::Metric m;
  auto key = json_str(obj, "key");
  if (!key || key->empty()) throw_missing(field(path, "key"));
  const json* v = json_field(obj, "value");
  if (!v) throw_missing(field(path, "value"));
  if (!(v->is_number() || v->is_string())) throw_invalid_type(*v, field(path, "value"));
  auto value = json_double(obj, "value", field(path, "value"));
  auto timestamp = json_int64(obj, "timestamp", field(path, "timestamp"));
  if (!timestamp) throw_missing(field(path, "timestamp"));
  m.key = *key;
  m.value = *value;
  m.timestamp = *timestamp;
  m.step = json_int64(obj, "step", field(path, "step")).value_or(0);
  if (auto id = json_str(obj, "model_id"); id && !id->empty()) m.model_id = id;
  if (auto dn = json_str(obj, "dataset_name"); dn && !dn->empty()) m.dataset_name = dn;
  if (auto dd = json_str(obj, "dataset_digest"); dd && !dd->empty()) m.dataset_digest = dd;
  validate_metric(m, path);
  return m;
}

core::Param parse_param(const json& obj, const std::string& path) {
  auto key = json_str(obj, "key");
  if (!key || key->empty()) throw_missing(field(path, "key"));
  return validated_param(*key, json_str(obj, "value").value_or(""), path);
}

core::Tag parse_run_tag(const json& obj, const std::string& path) {
  auto key = json_str(obj, "key");
  if (!key || key->empty()) throw_missing(field(path, "key"));
  return validated_run_tag(*key, json_str(obj, "value").value_or(""), path);
}

void resolve_run_name(store::NewRun& run, const std::string& name) {
  constexpr const char* kRunNameTag = "mlflow.runName";
  core::validate_length(name, core::limits::kMaxRunName, "run_name");
  std::optional<std::string> tag_name;
  for (const auto& t : run.tags)
    if (t.key == kRunNameTag) tag_name = t.value;
  if (!name.empty() && tag_name && *tag_name != name) {
    core::throw_invalid("Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values "
                        "(run_name='" + name + "', mlflow.runName='" + *tag_name + "').");
  }
  run.run_name = !name.empty() ? name : (tag_name && !tag_name->empty()) ? *tag_name : core::random_run_name();
  if (!tag_name || tag_name->empty()) {
    std::erase_if(run.tags, [](const core::Tag& t) { return t.key == kRunNameTag; });
    run.tags.push_back({kRunNameTag, run.run_name});
  }
}

}  // namespace sextant::api
