#include "api/json_codec.hpp"

#include <cmath>

namespace sextant::api {

using nlohmann::json;

json to_json_double(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  return v;
}

json tags_to_json(const std::vector<core::Tag>& tags) {
  json arr = json::array();
  for (const auto& t : tags) arr.push_back({{"key", t.key}, {"value", t.value}});
  return arr;
}

json to_json(const core::Experiment& e) {
  json j = {{"experiment_id", e.experiment_id},
            {"name", e.name},
            {"artifact_location", e.artifact_location},
            {"lifecycle_stage", e.lifecycle_stage}};
  if (e.creation_time) j["creation_time"] = *e.creation_time;
  if (e.last_update_time) j["last_update_time"] = *e.last_update_time;
  if (!e.tags.empty()) j["tags"] = tags_to_json(e.tags);
  return j;
}

json to_json(const core::RunInfo& info) {
  json j = {{"run_id", info.run_id},
            {"run_uuid", info.run_id},
            {"experiment_id", info.experiment_id},
            {"user_id", info.user_id},
            {"status", info.status},
            {"start_time", info.start_time},
            {"lifecycle_stage", info.lifecycle_stage}};
  if (info.run_name) j["run_name"] = *info.run_name;
  if (info.end_time) j["end_time"] = *info.end_time;
  if (!info.artifact_uri.empty()) j["artifact_uri"] = info.artifact_uri;
  return j;
}

json to_json(const core::Metric& m) {
  json j = {{"key", m.key}, {"value", to_json_double(m.value)}, {"timestamp", m.timestamp}, {"step", m.step}};
  if (!m.run_id.empty()) j["run_id"] = m.run_id;
  if (m.model_id) j["model_id"] = *m.model_id;
  if (m.dataset_name) j["dataset_name"] = *m.dataset_name;
  if (m.dataset_digest) j["dataset_digest"] = *m.dataset_digest;
  return j;
}

std::string metrics_json_text(const std::vector<core::Metric>& metrics) {
  if (metrics.empty()) return "{}";
  std::string out;
  out.reserve(metrics.size() * 96 + 16);
  out += "{\"metrics\":[";
  // Keys in nlohmann's (sorted) order; each distinct key / run id is escaped once.
  const std::string* last_key = nullptr;
  const std::string* last_run = nullptr;
  std::string key_text, run_text;
  bool first = true;
  for (const auto& m : metrics) {
    if (!first) out += ',';
    first = false;
    if (m.model_id || m.dataset_name || m.dataset_digest) {
      out += to_json(m).dump();
      continue;
    }
    if (!last_key || *last_key != m.key) key_text = json(m.key).dump(), last_key = &m.key;
    out += "{\"key\":";
    out += key_text;
    if (!m.run_id.empty()) {
      if (!last_run || *last_run != m.run_id) run_text = json(m.run_id).dump(), last_run = &m.run_id;
      out += ",\"run_id\":";
      out += run_text;
    }
    out += ",\"step\":";
    out += std::to_string(m.step);
    out += ",\"timestamp\":";
    out += std::to_string(m.timestamp);
    out += ",\"value\":";
    out += to_json_double(m.value).dump();
    out += '}';
  }
  out += "]}";
  return out;
}

json to_json(const core::FileInfo& f) {
  json j = {{"path", f.path}, {"is_dir", f.is_dir}};
  if (f.file_size) j["file_size"] = *f.file_size;
  return j;
}

json to_json(const core::Run& run) {
  json data = json::object();
  if (!run.metrics.empty()) {
    json metrics = json::array();
    for (const auto& m : run.metrics) metrics.push_back(to_json(m));
    data["metrics"] = std::move(metrics);
  }
  if (!run.params.empty()) data["params"] = tags_to_json(run.params);
  if (!run.tags.empty()) data["tags"] = tags_to_json(run.tags);
  json inputs = json::object();
  if (!run.dataset_inputs.empty()) {
    json arr = json::array();
    for (const auto& in : run.dataset_inputs) {
      json d = {{"name", in.dataset.name},
                {"digest", in.dataset.digest},
                {"source_type", in.dataset.source_type},
                {"source", in.dataset.source}};
      if (in.dataset.schema) d["schema"] = *in.dataset.schema;
      if (in.dataset.profile) d["profile"] = *in.dataset.profile;
      json item = {{"dataset", std::move(d)}};
      if (!in.tags.empty()) item["tags"] = tags_to_json(in.tags);
      arr.push_back(std::move(item));
    }
    inputs["dataset_inputs"] = std::move(arr);
  }
  if (!run.model_inputs.empty()) {
    json arr = json::array();
    for (const auto& id : run.model_inputs) arr.push_back({{"model_id", id}});
    inputs["model_inputs"] = std::move(arr);
  }
  json outputs = json::object();
  if (!run.model_outputs.empty()) {
    json arr = json::array();
    for (const auto& o : run.model_outputs) arr.push_back({{"model_id", o.model_id}, {"step", o.step}});
    outputs["model_outputs"] = std::move(arr);
  }
  return {{"info", to_json(run.info)}, {"data", std::move(data)}, {"inputs", std::move(inputs)},
          {"outputs", std::move(outputs)}};
}

json to_json(const core::LoggedModel& m) {
  json info = {{"model_id", m.model_id},
               {"experiment_id", m.experiment_id},
               {"name", m.name},
               {"creation_timestamp_ms", m.creation_timestamp_ms},
               {"last_updated_timestamp_ms", m.last_updated_timestamp_ms},
               {"artifact_uri", m.artifact_location},
               {"status", std::string(core::logged_model_status_name(m.status))}};
  if (m.model_type) info["model_type"] = *m.model_type;
  if (m.source_run_id) info["source_run_id"] = *m.source_run_id;
  // status_message is never emitted by MLflow either (LoggedModel.to_proto leaves it out).
  if (!m.tags.empty()) info["tags"] = tags_to_json(m.tags);
  json data = json::object();
  if (!m.params.empty()) data["params"] = tags_to_json(m.params);
  if (!m.metrics.empty()) {
    json metrics = json::array();
    for (const auto& metric : m.metrics) metrics.push_back(to_json(metric));
    data["metrics"] = std::move(metrics);
  }
  return {{"info", std::move(info)}, {"data", std::move(data)}};
}

}  // namespace sextant::api
