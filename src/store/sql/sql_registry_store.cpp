#include "store/sql/sql_registry_store.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/model_source.hpp"
#include "store/sql/registry_search_sql.hpp"
#include "store/sql/sql_helpers.hpp"
#include "util/python_json.hpp"
#include "util/time.hpp"

namespace sextant::store::sql {

using core::ErrorCode;
using core::MlflowError;
namespace reg = core::registry;

namespace {

// --- rows --------------------------------------------------------------------------------------

[[noreturn]] void model_not_found(const std::string& name) {
  core::throw_not_found("Registered Model with name=" + name + " not found");
}

[[noreturn]] void version_not_found(const std::string& name, std::int64_t version) {
  core::throw_not_found("Model Version (name=" + name + ", version=" + std::to_string(version) + ") not found");
}

const std::string kVersionColumns =
    "SELECT name, version, creation_time, last_updated_time, description, user_id, current_stage, source, run_id, "
    "status, status_message, run_link, storage_location FROM model_versions";
const std::string kNotDeleted = std::string("current_stage != '") + reg::kStageDeletedInternal + "'";

core::ModelVersion read_version_row(db::Statement& st) {
  core::ModelVersion v;
  v.name = st.text(0);
  v.version = st.int64(1);
  v.creation_timestamp = st.opt_int64(2);
  v.last_updated_timestamp = st.opt_int64(3);
  v.description = st.opt_text(4);
  v.user_id = st.opt_text(5);
  v.current_stage = st.opt_text(6);
  v.source = st.opt_text(7);
  v.run_id = st.opt_text(8);
  v.status = st.opt_text(9);
  v.status_message = st.opt_text(10);
  v.run_link = st.opt_text(11);
  v.storage_location = st.opt_text(12);
  return v;
}

void load_version_tags(db::Connection& conn, core::ModelVersion& v) {
  auto& st = conn.cached("SELECT key, value FROM model_version_tags WHERE name = ? AND version = ? ORDER BY key");
  st.bind(1, v.name).bind(2, v.version);
  while (st.step()) v.tags.push_back({st.text(0), st.opt_text(1).value_or("")});
  st.reset();
}

void load_version_aliases(db::Connection& conn, core::ModelVersion& v) {
  auto& st = conn.cached("SELECT alias FROM registered_model_aliases WHERE name = ? AND version = ? ORDER BY alias");
  st.bind(1, v.name).bind(2, v.version);
  while (st.step()) v.aliases.push_back(st.text(0));
  st.reset();
}

// A non-deleted version with its tags (aliases not filled).
std::optional<core::ModelVersion> find_version(db::Connection& conn, const std::string& name, std::int64_t version) {
  auto& st = conn.cached(kVersionColumns + " WHERE name = ? AND version = ? AND " + kNotDeleted);
  st.bind(1, name).bind(2, version);
  std::optional<core::ModelVersion> v;
  if (st.step()) v = read_version_row(st);
  st.reset();
  if (v) load_version_tags(conn, *v);
  return v;
}

core::ModelVersion require_version(db::Connection& conn, const std::string& name, std::int64_t version) {
  auto v = find_version(conn, name, version);
  if (!v) version_not_found(name, version);
  return *v;
}

core::ModelVersion with_aliases(db::Connection& conn, core::ModelVersion v) {
  load_version_aliases(conn, v);
  return v;
}

// MLflow's latest_versions: the highest non-deleted version of each stage, stages in the order
// they first occur when the versions are walked upwards (its dict order). With tags.
std::vector<core::ModelVersion> latest_per_stage(db::Connection& conn, const std::string& name) {
  std::vector<std::int64_t> numbers;
  {
    auto& st = conn.cached("SELECT MAX(version) FROM model_versions WHERE name = ? AND " + kNotDeleted +
                           " GROUP BY current_stage ORDER BY MIN(version)");
    st.bind(1, name);
    while (st.step()) numbers.push_back(st.int64(0));
    st.reset();
  }
  std::vector<core::ModelVersion> out;
  for (auto n : numbers) {
    if (auto v = find_version(conn, name, n)) out.push_back(std::move(*v));
  }
  return out;
}

std::optional<core::RegisteredModel> find_model(db::Connection& conn, const std::string& name) {
  auto& st = conn.cached("SELECT name, creation_time, last_updated_time, description FROM registered_models WHERE name = ?");
  st.bind(1, name);
  std::optional<core::RegisteredModel> m;
  if (st.step()) {
    m.emplace();
    m->name = st.text(0);
    m->creation_timestamp = st.opt_int64(1);
    m->last_updated_timestamp = st.opt_int64(2);
    m->description = st.opt_text(3);
  }
  st.reset();
  return m;
}

core::RegisteredModel require_model(db::Connection& conn, const std::string& name) {
  auto m = find_model(conn, name);
  if (!m) model_not_found(name);
  return *m;
}

std::vector<core::Tag> model_tags(db::Connection& conn, const std::string& name) {
  std::vector<core::Tag> tags;
  auto& st = conn.cached("SELECT key, value FROM registered_model_tags WHERE name = ? ORDER BY key");
  st.bind(1, name);
  while (st.step()) tags.push_back({st.text(0), st.opt_text(1).value_or("")});
  st.reset();
  return tags;
}

// The model with latest versions, tags and aliases.
core::RegisteredModel full_model(db::Connection& conn, const std::string& name) {
  auto m = require_model(conn, name);
  m.latest_versions = latest_per_stage(conn, name);
  m.tags = model_tags(conn, name);
  auto& st = conn.cached("SELECT alias, version FROM registered_model_aliases WHERE name = ? ORDER BY alias");
  st.bind(1, name);
  while (st.step()) m.aliases.push_back({st.text(0), st.int64(1)});
  st.reset();
  return m;
}

void touch_model(db::Connection& conn, const std::string& name, std::int64_t now) {
  auto& st = conn.cached("UPDATE registered_models SET last_updated_time = ? WHERE name = ?");
  st.bind(1, now).bind(2, name).run();
}

// --- names in messages -------------------------------------------------------------------------

// Python's repr() of a str (used by MLflow's {name!r}).
std::string py_repr(const std::string& s) {
  char q = (s.find('\'') != std::string::npos && s.find('"') == std::string::npos) ? '"' : '\'';
  std::string out(1, q);
  for (char c : s) {
    if (c == '\\' || c == q) out += '\\';
    out += c;
  }
  out += q;
  return out;
}

// --- the logged model's mlflow.modelVersions tag ---------------------------------------------

using ordered_json = nlohmann::ordered_json;

std::string add_model_version_link(const std::optional<std::string>& existing, const std::string& name,
                                   std::int64_t version) {
  ordered_json list = ordered_json::array();
  if (existing) {
    auto parsed = ordered_json::parse(*existing, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_array()) list = std::move(parsed);
  }
  bool present = std::any_of(list.begin(), list.end(), [&](const ordered_json& e) {
    if (!e.is_object() || e.size() != 2 || !e.contains("name") || !e.contains("version")) return false;
    const auto& n = e["name"];
    const auto& v = e["version"];
    return n.is_string() && n.get<std::string>() == name && v.is_number() && !v.is_boolean() &&
           v.get<double>() == static_cast<double>(version);
  });
  if (!present) list.push_back(ordered_json{{"name", name}, {"version", version}});
  return util::python_json_dumps(list);
}

void link_logged_model(db::Connection& conn, const std::string& model_id, const std::string& name,
                       std::int64_t version) {
  std::optional<std::int64_t> experiment_id;
  {
    auto& st = conn.cached("SELECT experiment_id FROM logged_models WHERE model_id = ?");
    st.bind(1, model_id);
    if (st.step()) experiment_id = st.int64(0);
    st.reset();
  }
  if (!experiment_id) core::throw_not_found("Logged model with ID '" + model_id + "' not found.");
  std::optional<std::string> existing;
  {
    auto& st = conn.cached("SELECT tag_value FROM logged_model_tags WHERE model_id = ? AND tag_key = ?");
    st.bind(1, model_id).bind(2, reg::kModelVersionsTag);
    if (st.step()) existing = st.opt_text(0);
    st.reset();
  }
  auto& up = conn.cached(conn.dialect().upsert(
      "logged_model_tags (model_id, experiment_id, tag_key, tag_value) VALUES (?, ?, ?, ?)",
      "model_id, tag_key",
      "tag_value = EXCLUDED(tag_value)"));
  up.bind(1, model_id).bind(2, *experiment_id).bind(3, reg::kModelVersionsTag)
      .bind(4, add_model_version_link(existing, name, version)).run();
}

// --- what the source rules need, read inside the write ----------------------------------------

class SqlSourceLookup final : public core::SourceLookup {
 public:
  explicit SqlSourceLookup(db::Connection& conn) : conn_(conn) {}

  std::optional<std::string> run_artifact_uri(const std::string& run_id) override {
    auto& st = conn_.cached("SELECT artifact_uri FROM runs WHERE run_uuid = ?");
    st.bind(1, run_id);
    std::optional<std::string> uri;
    if (st.step()) uri = st.opt_text(0).value_or("");
    st.reset();
    return uri;
  }

  std::optional<LoggedModel> logged_model(const std::string& model_id) override {
    auto& st = conn_.cached(
        "SELECT artifact_location, source_run_id FROM logged_models WHERE model_id = ? AND (lifecycle_stage IS NULL "
        "OR lifecycle_stage != 'deleted')");
    st.bind(1, model_id);
    std::optional<LoggedModel> m;
    if (st.step()) m = LoggedModel{st.text(0), st.opt_text(1)};
    st.reset();
    return m;
  }

  std::optional<std::string> model_version_download_uri(const std::string& name, std::int64_t version) override {
    auto v = find_version(conn_, name, version);
    if (!v) return std::nullopt;
    return v->storage_location && !v->storage_location->empty() ? *v->storage_location : v->source.value_or("");
  }

 private:
  db::Connection& conn_;
};

// Tags of one request: the last value of a key wins (MLflow builds a dict).
std::vector<core::Tag> last_value_per_key(const std::vector<core::Tag>& tags) {
  std::map<std::string, std::string> by_key;
  for (const auto& t : tags) by_key[t.key] = t.value;
  std::vector<core::Tag> out;
  for (auto& [k, v] : by_key) out.push_back({k, v});
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Registered models

core::RegisteredModel SqlRegistryStore::create_registered_model(const std::string& name,
                                                                   const std::vector<core::Tag>& tags,
                                                                   const std::string& description) {
  core::RegisteredModel out;
  write([&](db::Connection& conn) {
    bool new_is_prompt = std::any_of(tags.begin(), tags.end(), [](const auto& t) { return t.key == reg::kPromptTag; });
    if (find_model(conn, name)) {
      auto existing = model_tags(conn, name);
      bool old_is_prompt =
          std::any_of(existing.begin(), existing.end(), [](const auto& t) { return t.key == reg::kPromptTag; });
      std::string old_entity = old_is_prompt ? "Prompt" : "Registered Model";
      std::string new_entity = new_is_prompt ? "Prompt" : "Registered Model";
      if (old_is_prompt != new_is_prompt) {
        throw MlflowError(ErrorCode::RESOURCE_ALREADY_EXISTS,
                          "Tried to create a " + std::string(new_is_prompt ? "prompt" : "registered model") +
                              " with name " + py_repr(name) + ", but the name is already taken by a " +
                              (old_is_prompt ? "prompt" : "registered model") +
                              ". MLflow does not allow creating a model and a prompt with the same name.");
      }
      throw MlflowError(ErrorCode::RESOURCE_ALREADY_EXISTS, new_entity + " (name=" + name + ") already exists.");
    }
    auto now = util::now_ms();
    auto& ins = conn.cached(
        "INSERT INTO registered_models (name, creation_time, last_updated_time, description) VALUES (?, ?, ?, ?)");
    ins.bind(1, name).bind(2, now).bind(3, now).bind(4, description).run();
    for (const auto& t : last_value_per_key(tags)) {
      auto& st = conn.cached("INSERT INTO registered_model_tags (key, value, name) VALUES (?, ?, ?)");
      st.bind(1, t.key).bind(2, t.value).bind(3, name).run();
    }
    out = full_model(conn, name);
  });
  return out;
}

core::RegisteredModel SqlRegistryStore::get_registered_model(const std::string& name) {
  core::RegisteredModel out;
  read([&](db::Connection& conn) { out = full_model(conn, name); });
  return out;
}

core::RegisteredModel SqlRegistryStore::rename_registered_model(const std::string& name,
                                                                   const std::string& new_name) {
  core::RegisteredModel out;
  write([&](db::Connection& conn) {
    require_model(conn, name);
    auto now = util::now_ms();
    if (new_name != name) {
      if (find_model(conn, new_name)) {
        throw MlflowError(ErrorCode::RESOURCE_ALREADY_EXISTS,
                          "Registered Model (name=" + new_name +
                              ") already exists. Error: UNIQUE constraint failed: registered_models.name");
      }
      // Versions, tags and aliases follow through ON UPDATE CASCADE (foreign_keys is on).
      auto& st = conn.cached("UPDATE registered_models SET name = ? WHERE name = ?");
      st.bind(1, new_name).bind(2, name).run();
    }
    touch_model(conn, new_name, now);
    auto& versions = conn.cached("UPDATE model_versions SET last_updated_time = ? WHERE name = ?");
    versions.bind(1, now).bind(2, new_name).run();
    out = full_model(conn, new_name);
  });
  return out;
}

core::RegisteredModel SqlRegistryStore::update_registered_model(const std::string& name,
                                                                   const std::string& description) {
  core::RegisteredModel out;
  write([&](db::Connection& conn) {
    require_model(conn, name);
    auto& st = conn.cached("UPDATE registered_models SET description = ?, last_updated_time = ? WHERE name = ?");
    st.bind(1, description).bind(2, util::now_ms()).bind(3, name).run();
    out = full_model(conn, name);
  });
  return out;
}

void SqlRegistryStore::delete_registered_model(const std::string& name) {
  write([&](db::Connection& conn) {
    require_model(conn, name);
    // Children first: the version and tag foreign keys have no ON DELETE CASCADE.
    for (const char* sql : {"DELETE FROM model_version_tags WHERE name = ?", "DELETE FROM model_versions WHERE name = ?",
                            "DELETE FROM registered_model_tags WHERE name = ?",
                            "DELETE FROM registered_model_aliases WHERE name = ?",
                            "DELETE FROM registered_models WHERE name = ?"}) {
      auto& st = conn.cached(sql);
      st.bind(1, name).run();
    }
  });
}

std::vector<core::RegisteredModel> SqlRegistryStore::search_registered_models(const RegistrySearchQuery& query) {
  auto sql = compile_registered_model_search(query, db_.dialect());
  std::vector<core::RegisteredModel> out;
  read([&](db::Connection& conn) {
    std::vector<std::string> names;
    {
      auto st = conn.prepare(sql.text);
      bind_all(st, sql.binds);
      while (st.step()) names.push_back(st.text(0));
    }
    out.reserve(names.size());
    for (const auto& n : names) out.push_back(full_model(conn, n));
  });
  return out;
}

std::vector<core::ModelVersion> SqlRegistryStore::get_latest_versions(const std::string& name,
                                                                         const std::vector<std::string>& stages) {
  std::vector<core::ModelVersion> out;
  read([&](db::Connection& conn) {
    require_model(conn, name);
    std::set<std::string> wanted(stages.begin(), stages.end());
    if (wanted.empty()) wanted.insert(core::all_stages().begin(), core::all_stages().end());
    for (auto& v : latest_per_stage(conn, name)) {
      if (v.current_stage && wanted.count(*v.current_stage)) out.push_back(with_aliases(conn, std::move(v)));
    }
  });
  return out;
}

void SqlRegistryStore::set_registered_model_tag(const std::string& name, const core::Tag& tag) {
  write([&](db::Connection& conn) {
    require_model(conn, name);
    auto& st = conn.cached(conn.dialect().upsert(
        "registered_model_tags (key, value, name) VALUES (?, ?, ?)", "key, name", "value = EXCLUDED(value)"));
    st.bind(1, tag.key).bind(2, tag.value).bind(3, name).run();
  });
}

void SqlRegistryStore::delete_registered_model_tag(const std::string& name, const std::string& key) {
  write([&](db::Connection& conn) {
    require_model(conn, name);
    auto& st = conn.cached("DELETE FROM registered_model_tags WHERE name = ? AND key = ?");
    st.bind(1, name).bind(2, key).run();
  });
}

// ---------------------------------------------------------------------------------------------
// Model versions

core::ModelVersion SqlRegistryStore::create_model_version(const NewModelVersion& request) {
  core::ModelVersion out;
  write([&](db::Connection& conn) {
    SqlSourceLookup lookup(conn);
    auto resolved = core::resolve_model_version_source(
        {request.source, request.run_id, request.model_id, request.is_prompt}, lookup);
    require_model(conn, request.name);
    // Touching the model first locks its row: another server creating a version of the same
    // model on a shared database waits here, then sees this version (PostgreSQL, READ COMMITTED).
    auto now = util::now_ms();
    touch_model(conn, request.name, now);
    std::int64_t version = 1;
    {
      auto& st = conn.cached("SELECT MAX(version) FROM model_versions WHERE name = ?");  // soft-deleted count too
      st.bind(1, request.name);
      if (st.step() && !st.is_null(0)) version = st.int64(0) + 1;
      st.reset();
    }
    auto& ins = conn.cached(
        "INSERT INTO model_versions (name, version, creation_time, last_updated_time, description, user_id, "
        "current_stage, source, run_id, status, status_message, run_link, storage_location) VALUES (?, ?, ?, ?, ?, "
        "NULL, ?, ?, ?, ?, NULL, ?, ?)");
    ins.bind(1, request.name).bind(2, version).bind(3, now).bind(4, now).bind(5, request.description)
        .bind(6, reg::kStageNone).bind(7, request.source).bind(8, resolved.run_id).bind(9, reg::kStatusReady)
        .bind(10, request.run_link).bind(11, resolved.storage_location).run();
    for (const auto& t : last_value_per_key(request.tags)) {
      auto& st = conn.cached("INSERT INTO model_version_tags (key, value, name, version) VALUES (?, ?, ?, ?)");
      st.bind(1, t.key).bind(2, t.value).bind(3, request.name).bind(4, version).run();
    }
    if (!request.model_id.empty() && !request.is_prompt) link_logged_model(conn, request.model_id, request.name, version);
    out = with_aliases(conn, require_version(conn, request.name, version));
  });
  return out;
}

core::ModelVersion SqlRegistryStore::get_model_version(const std::string& name, std::int64_t version) {
  core::ModelVersion out;
  read([&](db::Connection& conn) { out = with_aliases(conn, require_version(conn, name, version)); });
  return out;
}

core::ModelVersion SqlRegistryStore::update_model_version(const std::string& name, std::int64_t version,
                                                             const std::optional<std::string>& description) {
  core::ModelVersion out;
  write([&](db::Connection& conn) {
    require_version(conn, name, version);
    auto& st = conn.cached("UPDATE model_versions SET description = ?, last_updated_time = ? WHERE name = ? AND version = ?");
    st.bind(1, description).bind(2, util::now_ms()).bind(3, name).bind(4, version).run();
    out = with_aliases(conn, require_version(conn, name, version));
  });
  return out;
}

core::ModelVersion SqlRegistryStore::transition_model_version_stage(const std::string& name, std::int64_t version,
                                                                       const std::string& stage,
                                                                       bool archive_existing_versions) {
  core::ModelVersion out;
  write([&](db::Connection& conn) {
    require_version(conn, name, version);
    auto now = util::now_ms();
    if (archive_existing_versions) {
      auto& st = conn.cached(
          "UPDATE model_versions SET current_stage = ?, last_updated_time = ? WHERE name = ? AND version != ? AND "
          "current_stage = ?");
      st.bind(1, reg::kStageArchived).bind(2, now).bind(3, name).bind(4, version).bind(5, stage).run();
    }
    auto& st = conn.cached(
        "UPDATE model_versions SET current_stage = ?, last_updated_time = ? WHERE name = ? AND version = ?");
    st.bind(1, stage).bind(2, now).bind(3, name).bind(4, version).run();
    touch_model(conn, name, now);
    out = with_aliases(conn, require_version(conn, name, version));
  });
  return out;
}

void SqlRegistryStore::delete_model_version(const std::string& name, std::int64_t version) {
  write([&](db::Connection& conn) {
    require_version(conn, name, version);
    auto now = util::now_ms();
    touch_model(conn, name, now);
    auto& aliases = conn.cached("DELETE FROM registered_model_aliases WHERE name = ? AND version = ?");
    aliases.bind(1, name).bind(2, version).run();
    auto& st = conn.cached(
        "UPDATE model_versions SET current_stage = ?, last_updated_time = ?, description = NULL, user_id = NULL, "
        "source = 'REDACTED-SOURCE-PATH', run_id = 'REDACTED-RUN-ID', run_link = 'REDACTED-RUN-LINK', "
        "status_message = NULL WHERE name = ? AND version = ?");
    st.bind(1, reg::kStageDeletedInternal).bind(2, now).bind(3, name).bind(4, version).run();
  });
}

std::string SqlRegistryStore::get_model_version_download_uri(const std::string& name, std::int64_t version) {
  std::string uri;
  read([&](db::Connection& conn) {
    auto v = require_version(conn, name, version);
    uri = v.storage_location && !v.storage_location->empty() ? *v.storage_location : v.source.value_or("");
  });
  return uri;
}

std::vector<core::ModelVersion> SqlRegistryStore::search_model_versions(const RegistrySearchQuery& query) {
  auto sql = compile_model_version_search(query, db_.dialect());
  std::vector<core::ModelVersion> out;
  read([&](db::Connection& conn) {
    {
      auto st = conn.prepare(sql.text);
      bind_all(st, sql.binds);
      while (st.step()) out.push_back(read_version_row(st));
    }
    for (auto& v : out) load_version_tags(conn, v);
  });
  return out;
}

void SqlRegistryStore::set_model_version_tag(const std::string& name, std::int64_t version, const core::Tag& tag) {
  write([&](db::Connection& conn) {
    require_version(conn, name, version);
    auto& st = conn.cached(conn.dialect().upsert(
        "model_version_tags (key, value, name, version) VALUES (?, ?, ?, ?)",
        "key, name, version",
        "value = EXCLUDED(value)"));
    st.bind(1, tag.key).bind(2, tag.value).bind(3, name).bind(4, version).run();
  });
}

void SqlRegistryStore::delete_model_version_tag(const std::string& name, std::int64_t version,
                                                   const std::string& key) {
  write([&](db::Connection& conn) {
    require_version(conn, name, version);
    auto& st = conn.cached("DELETE FROM model_version_tags WHERE name = ? AND version = ? AND key = ?");
    st.bind(1, name).bind(2, version).bind(3, key).run();
  });
}

// ---------------------------------------------------------------------------------------------
// Aliases

void SqlRegistryStore::set_registered_model_alias(const std::string& name, const std::string& alias,
                                                     std::int64_t version) {
  write([&](db::Connection& conn) {
    require_version(conn, name, version);
    auto& st = conn.cached(conn.dialect().upsert(
        "registered_model_aliases (alias, version, name) VALUES (?, ?, ?)",
        "name, alias",
        "version = EXCLUDED(version)"));
    st.bind(1, alias).bind(2, version).bind(3, name).run();
  });
}

void SqlRegistryStore::delete_registered_model_alias(const std::string& name, const std::string& alias) {
  write([&](db::Connection& conn) {
    require_model(conn, name);
    auto& st = conn.cached("DELETE FROM registered_model_aliases WHERE name = ? AND alias = ?");
    st.bind(1, name).bind(2, alias).run();
  });
}

core::ModelVersion SqlRegistryStore::get_model_version_by_alias(const std::string& name, const std::string& alias) {
  core::ModelVersion out;
  read([&](db::Connection& conn) {
    require_model(conn, name);
    if (core::is_latest_alias(alias)) {  // the highest live version (mlflow-api.md §7 row 25)
      auto& st = conn.cached("SELECT MAX(version) FROM model_versions WHERE name = ? AND " + kNotDeleted);
      st.bind(1, name);
      std::optional<std::int64_t> latest;
      if (st.step() && !st.is_null(0)) latest = st.int64(0);
      st.reset();
      if (!latest) core::throw_not_found("Latest version not found for model " + name + ".");
      out = with_aliases(conn, require_version(conn, name, *latest));
      return;
    }
    std::optional<std::int64_t> version;
    auto& st = conn.cached("SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?");
    st.bind(1, name).bind(2, alias);
    if (st.step()) version = st.int64(0);
    st.reset();
    if (!version) core::throw_invalid("Registered model alias " + alias + " not found.");
    out = with_aliases(conn, require_version(conn, name, *version));
  });
  return out;
}

}  // namespace sextant::store::sql
