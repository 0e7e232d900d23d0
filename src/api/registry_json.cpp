#include "api/registry_json.hpp"

#include "api/json_codec.hpp"

namespace sextant::api {

using nlohmann::json;

json to_json(const core::ModelVersion& v) {
  json j = {{"name", v.name}, {"version", std::to_string(v.version)}};
  if (v.creation_timestamp) j["creation_timestamp"] = *v.creation_timestamp;
  if (v.last_updated_timestamp) j["last_updated_timestamp"] = *v.last_updated_timestamp;
  if (v.description) j["description"] = *v.description;
  if (v.user_id) j["user_id"] = *v.user_id;
  if (v.current_stage) j["current_stage"] = *v.current_stage;
  if (v.source) j["source"] = *v.source;
  if (v.run_id) j["run_id"] = *v.run_id;
  if (v.status) j["status"] = *v.status;
  if (v.status_message && !v.status_message->empty()) j["status_message"] = *v.status_message;
  if (!v.tags.empty()) j["tags"] = tags_to_json(v.tags);
  if (v.run_link) j["run_link"] = *v.run_link;
  if (!v.aliases.empty()) j["aliases"] = v.aliases;
  return j;
}

json to_json(const core::RegisteredModel& m) {
  json j = {{"name", m.name}};
  if (m.creation_timestamp) j["creation_timestamp"] = *m.creation_timestamp;
  if (m.last_updated_timestamp && *m.last_updated_timestamp) j["last_updated_timestamp"] = *m.last_updated_timestamp;
  if (m.description && !m.description->empty()) j["description"] = *m.description;
  if (!m.latest_versions.empty()) {
    json arr = json::array();
    for (const auto& v : m.latest_versions) arr.push_back(to_json(v));
    j["latest_versions"] = std::move(arr);
  }
  if (!m.tags.empty()) j["tags"] = tags_to_json(m.tags);
  if (!m.aliases.empty()) {
    json arr = json::array();
    for (const auto& a : m.aliases) arr.push_back({{"alias", a.alias}, {"version", std::to_string(a.version)}});
    j["aliases"] = std::move(arr);
  }
  return j;
}

}  // namespace sextant::api
