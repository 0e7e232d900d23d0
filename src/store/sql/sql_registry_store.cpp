#include "store/sql/sql_registry_store.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/model_source.hpp"
#include "store/sql/registry_search_sql.hpp"
#include "store/sql/sql_helpers.hpp"
#include "store/sql/workspace_sql.hpp"
#include "util/python_json.hpp"
#include "util/time.hpp"

namespace sextant::store::sql {

using core::ErrorCode;
using core::MlflowError;
namespace reg = core::registry;

namespace {
const std::string kNotDeleted = std::string("current_stage != '") + reg::kStageDeletedInternal + "'";
}  // namespace

// Every statement on the registry tables that names a model, in the served schema's form: with
// workspaces, inserts write kDefaultWorkspace, conditions and upsert conflict targets lead with
// the workspace (the tables' keys and MLflow's indexes do); without, the texts are 3.6's.
struct RegistryStatements {
  RegistryStatements(const db::Dialect& d, bool workspaces)
      : ws(workspaces),
        version_columns(
            "SELECT name, version, creation_time, last_updated_time, description, user_id, current_stage, source, "
            "run_id, status, status_message, run_link, storage_location FROM model_versions WHERE " + ws.where),
        version(version_columns + "name = ? AND version = ? AND " + kNotDeleted),
        version_tags("SELECT key, value FROM model_version_tags WHERE " + ws.where +
                     "name = ? AND version = ? ORDER BY key"),
        version_aliases("SELECT alias FROM registered_model_aliases WHERE " + ws.where +
                        "name = ? AND version = ? ORDER BY alias"),
        latest_per_stage("SELECT MAX(version) FROM model_versions WHERE " + ws.where + "name = ? AND " +
                         kNotDeleted + " GROUP BY current_stage ORDER BY MIN(version)"),
        model("SELECT name, creation_time, last_updated_time, description FROM registered_models WHERE " + ws.where +
              "name = ?"),
        model_tags("SELECT key, value FROM registered_model_tags WHERE " + ws.where + "name = ? ORDER BY key"),
        model_aliases("SELECT alias, version FROM registered_model_aliases WHERE " + ws.where +
                      "name = ? ORDER BY alias"),
        touch_model("UPDATE registered_models SET last_updated_time = ? WHERE " + ws.where + "name = ?"),
        insert_model("INSERT INTO registered_models (" + ws.column +
                     "name, creation_time, last_updated_time, description) VALUES (" + ws.value + "?, ?, ?, ?)"),
        insert_model_tag("INSERT INTO registered_model_tags (" + ws.column + "key, value, name) VALUES (" + ws.value +
                         "?, ?, ?)"),
        rename_model("UPDATE registered_models SET name = ? WHERE " + ws.where + "name = ?"),
        touch_versions("UPDATE model_versions SET last_updated_time = ? WHERE " + ws.where + "name = ?"),
        update_model("UPDATE registered_models SET description = ?, last_updated_time = ? WHERE " + ws.where +
                     "name = ?"),
        delete_model{"DELETE FROM model_version_tags WHERE " + ws.where + "name = ?",
                     "DELETE FROM model_versions WHERE " + ws.where + "name = ?",
                     "DELETE FROM registered_model_tags WHERE " + ws.where + "name = ?",
                     "DELETE FROM registered_model_aliases WHERE " + ws.where + "name = ?",
                     "DELETE FROM registered_models WHERE " + ws.where + "name = ?"},
        upsert_model_tag(d.upsert("registered_model_tags (" + ws.column + "key, value, name) VALUES (" + ws.value +
                                      "?, ?, ?)",
                                  ws.column + "key, name", "value = EXCLUDED(value)")),
        delete_model_tag("DELETE FROM registered_model_tags WHERE " + ws.where + "name = ? AND key = ?"),
        max_version("SELECT MAX(version) FROM model_versions WHERE " + ws.where + "name = ?"),
        insert_version("INSERT INTO model_versions (" + ws.column +
                       "name, version, creation_time, last_updated_time, description, user_id, current_stage, "
                       "source, run_id, status, status_message, run_link, storage_location) VALUES (" + ws.value +
                       "?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, NULL, ?, ?)"),
        insert_version_tag("INSERT INTO model_version_tags (" + ws.column + "key, value, name, version) VALUES (" +
                           ws.value + "?, ?, ?, ?)"),
        update_version("UPDATE model_versions SET description = ?, last_updated_time = ? WHERE " + ws.where +
                       "name = ? AND version = ?"),
        archive_stage("UPDATE model_versions SET current_stage = ?, last_updated_time = ? WHERE " + ws.where +
                      "name = ? AND version != ? AND current_stage = ?"),
        set_stage("UPDATE model_versions SET current_stage = ?, last_updated_time = ? WHERE " + ws.where +
                  "name = ? AND version = ?"),
        delete_version_aliases("DELETE FROM registered_model_aliases WHERE " + ws.where + "name = ? AND version = ?"),
        delete_version(
            "UPDATE model_versions SET current_stage = ?, last_updated_time = ?, description = NULL, user_id = NULL, "
            "source = 'REDACTED-SOURCE-PATH', run_id = 'REDACTED-RUN-ID', run_link = 'REDACTED-RUN-LINK', "
            "status_message = NULL WHERE " + ws.where + "name = ? AND version = ?"),
        upsert_version_tag(d.upsert("model_version_tags (" + ws.column + "key, value, name, version) VALUES (" +
                                        ws.value + "?, ?, ?, ?)",
                                    ws.column + "key, name, version", "value = EXCLUDED(value)")),
        delete_version_tag("DELETE FROM model_version_tags WHERE " + ws.where + "name = ? AND version = ? AND key = ?"),
        upsert_alias(d.upsert("registered_model_aliases (" + ws.column + "alias, version, name) VALUES (" + ws.value +
                                  "?, ?, ?)",
                              ws.column + "name, alias", "version = EXCLUDED(version)")),
        delete_alias("DELETE FROM registered_model_aliases WHERE " + ws.where + "name = ? AND alias = ?"),
        latest_version("SELECT MAX(version) FROM model_versions WHERE " + ws.where + "name = ? AND " + kNotDeleted),
        alias_version("SELECT version FROM registered_model_aliases WHERE " + ws.where + "name = ? AND alias = ?"),
        rename_conflict(") already exists. Error: " + ws.unique_name_failure("registered_models")) {}

  WorkspaceSql ws;
  std::string version_columns;  // "SELECT <read_version_row's columns> FROM model_versions WHERE [ws AND ]"
  std::string version, version_tags, version_aliases, latest_per_stage, model, model_tags, model_aliases, touch_model,
      insert_model, insert_model_tag, rename_model, touch_versions, update_model;
  std::string delete_model[5];  // children first: the version and tag foreign keys have no ON DELETE CASCADE
  std::string upsert_model_tag, delete_model_tag, max_version, insert_version, insert_version_tag, update_version,
      archive_stage, set_stage, delete_version_aliases, delete_version, upsert_version_tag, delete_version_tag,
      upsert_alias, delete_alias, latest_version, alias_version;
  std::string rename_conflict;  // what follows "Registered Model (name=<new name>" when the name is taken
};

namespace {

// --- rows --------------------------------------------------------------------------------------

[[noreturn]] void model_not_found(const std::string& name) {
  core::throw_not_found("Registered Model with name=" + name + " not found");
}

[[noreturn]] void version_not_found(const std::string& name, std::int64_t version) {
  core::throw_not_found("Model Version (name=" + name + ", version=" + std::to_string(version) + ") not found");
}

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

void load_version_tags(const RegistryStatements& q, db::Connection& conn, core::ModelVersion& v) {
  auto& st = conn.cached(q.version_tags);
  st.bind(1, v.name).bind(2, v.version);
  while (st.step()) v.tags.push_back({st.text(0), st.opt_text(1).value_or("")});
  st.reset();
}

void load_version_aliases(const RegistryStatements& q, db::Connection& conn, core::ModelVersion& v) {
  auto& st = conn.cached(q.version_aliases);
  st.bind(1, v.name).bind(2, v.version);
  while (st.step()) v.aliases.push_back(st.text(0));
  st.reset();
}

// A non-deleted version with its tags (aliases not filled).
std::optional<core::ModelVersion> find_version(const RegistryStatements& q, db::Connection& conn,
                                               const std::string& name, std::int64_t version) {
  auto& st = conn.cached(q.version);
  st.bind(1, name).bind(2, version);
  std::optional<core::ModelVersion> v;
  if (st.step()) v = read_version_row(st);
  st.reset();
  if (v) load_version_tags(q, conn, *v);
  return v;
}

core::ModelVersion require_version(const RegistryStatements& q, db::Connection& conn, const std::string& name,
                                   std::int64_t version) {
  auto v = find_version(q, conn, name, version);
  if (!v) version_not_found(name, version);
  return *v;
}

core::ModelVersion with_aliases(const RegistryStatements& q, db::Connection& conn, core::ModelVersion v) {
  load_version_aliases(q, conn, v);
  return v;
}

// MLflow's latest_versions: the highest non-deleted version of each stage, stages in the order
// they first occur when the versions are walked upwards (its dict order). With tags.
std::vector<core::ModelVersion> latest_per_stage(const RegistryStatements& q, db::Connection& conn,
                                                 const std::string& name) {
  std::vector<std::int64_t> numbers;
  {
    auto& st = conn.cached(q.latest_per_stage);
    st.bind(1, name);
    while (st.step()) numbers.push_back(st.int64(0));
    st.reset();
  }
  std::vector<core::ModelVersion> out;
  for (auto n : numbers) {
    if (auto v = find_version(q, conn, name, n)) out.push_back(std::move(*v));
  }
  return out;
}

std::optional<core::RegisteredModel> find_model(const RegistryStatements& q, db::Connection& conn,
                                                const std::string& name) {
  auto& st = conn.cached(q.model);
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

core::RegisteredModel require_model(const RegistryStatements& q, db::Connection& conn, const std::string& name) {
  auto m = find_model(q, conn, name);
  if (!m) model_not_found(name);
  return *m;
}

std::vector<core::Tag> model_tags(const RegistryStatements& q, db::Connection& conn, const std::string& name) {
  std::vector<core::Tag> tags;
  auto& st = conn.cached(q.model_tags);
  st.bind(1, name);
  while (st.step()) tags.push_back({st.text(0), st.opt_text(1).value_or("")});
  st.reset();
  return tags;
}

// The model with latest versions, tags and aliases.
core::RegisteredModel full_model(const RegistryStatements& q, db::Connection& conn, const std::string& name) {
  auto m = require_model(q, conn, name);
  m.latest_versions = latest_per_stage(q, conn, name);
  m.tags = model_tags(q, conn, name);
  auto& st = conn.cached(q.model_aliases);
  st.bind(1, name);
  while (st.step()) m.aliases.push_back({st.text(0), st.int64(1)});
  st.reset();
  return m;
}

void touch_model(const RegistryStatements& q, db::Connection& conn, const std::string& name, std::int64_t now) {
  auto& st = conn.cached(q.touch_model);
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
  SqlSourceLookup(const RegistryStatements& q, db::Connection& conn) : q_(q), conn_(conn) {}

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
    auto v = find_version(q_, conn_, name, version);
    if (!v) return std::nullopt;
    return v->storage_location && !v->storage_location->empty() ? *v->storage_location : v->source.value_or("");
  }

 private:
  const RegistryStatements& q_;
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

SqlRegistryStore::SqlRegistryStore(Database& database)
    : db_(database), sql_(std::make_unique<const RegistryStatements>(database.dialect(), database.schema().workspaces)) {}

SqlRegistryStore::~SqlRegistryStore() = default;

// ---------------------------------------------------------------------------------------------
// Registered models

core::RegisteredModel SqlRegistryStore::create_registered_model(const std::string& name,
                                                                   const std::vector<core::Tag>& tags,
                                                                   const std::string& description) {
  const auto& q = *sql_;
  core::RegisteredModel out;
  write([&](db::Connection& conn) {
    bool new_is_prompt = std::any_of(tags.begin(), tags.end(), [](const auto& t) { return t.key == reg::kPromptTag; });
    if (find_model(q, conn, name)) {
      auto existing = model_tags(q, conn, name);
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
    auto& ins = conn.cached(q.insert_model);
    ins.bind(1, name).bind(2, now).bind(3, now).bind(4, description).run();
    for (const auto& t : last_value_per_key(tags)) {
      auto& st = conn.cached(q.insert_model_tag);
      st.bind(1, t.key).bind(2, t.value).bind(3, name).run();
    }
    out = full_model(q, conn, name);
  });
  return out;
}

core::RegisteredModel SqlRegistryStore::get_registered_model(const std::string& name) {
  const auto& q = *sql_;
  core::RegisteredModel out;
  read([&](db::Connection& conn) { out = full_model(q, conn, name); });
  return out;
}

core::RegisteredModel SqlRegistryStore::rename_registered_model(const std::string& name,
                                                                   const std::string& new_name) {
  const auto& q = *sql_;
  core::RegisteredModel out;
  write([&](db::Connection& conn) {
    require_model(q, conn, name);
    auto now = util::now_ms();
    if (new_name != name) {
      if (find_model(q, conn, new_name)) {
        throw MlflowError(ErrorCode::RESOURCE_ALREADY_EXISTS, "Registered Model (name=" + new_name + q.rename_conflict);
      }
      // Versions, tags and aliases follow through ON UPDATE CASCADE (foreign_keys is on), on
      // (name) before workspaces and on (workspace, name) with them.
      auto& st = conn.cached(q.rename_model);
      st.bind(1, new_name).bind(2, name).run();
    }
    touch_model(q, conn, new_name, now);
    auto& versions = conn.cached(q.touch_versions);
    versions.bind(1, now).bind(2, new_name).run();
    out = full_model(q, conn, new_name);
  });
  return out;
}

core::RegisteredModel SqlRegistryStore::update_registered_model(const std::string& name,
                                                                   const std::string& description) {
  const auto& q = *sql_;
  core::RegisteredModel out;
  write([&](db::Connection& conn) {
    require_model(q, conn, name);
    auto& st = conn.cached(q.update_model);
    st.bind(1, description).bind(2, util::now_ms()).bind(3, name).run();
    out = full_model(q, conn, name);
  });
  return out;
}

void SqlRegistryStore::delete_registered_model(const std::string& name) {
  const auto& q = *sql_;
  write([&](db::Connection& conn) {
    require_model(q, conn, name);
    for (const auto& sql : q.delete_model) {
      auto& st = conn.cached(sql);
      st.bind(1, name).run();
    }
  });
}

std::vector<core::RegisteredModel> SqlRegistryStore::search_registered_models(const RegistrySearchQuery& query) {
  const auto& q = *sql_;
  auto sql = compile_registered_model_search(query, db_.dialect(), q.ws.on);
  std::vector<core::RegisteredModel> out;
  read([&](db::Connection& conn) {
    std::vector<std::string> names;
    {
      auto st = conn.prepare(sql.text);
      bind_all(st, sql.binds);
      while (st.step()) names.push_back(st.text(0));
    }
    out.reserve(names.size());
    for (const auto& n : names) out.push_back(full_model(q, conn, n));
  });
  return out;
}

std::vector<core::ModelVersion> SqlRegistryStore::get_latest_versions(const std::string& name,
                                                                         const std::vector<std::string>& stages) {
  const auto& q = *sql_;
  std::vector<core::ModelVersion> out;
  read([&](db::Connection& conn) {
    require_model(q, conn, name);
    std::set<std::string> wanted(stages.begin(), stages.end());
    if (wanted.empty()) wanted.insert(core::all_stages().begin(), core::all_stages().end());
    for (auto& v : latest_per_stage(q, conn, name)) {
      if (v.current_stage && wanted.count(*v.current_stage)) out.push_back(with_aliases(q, conn, std::move(v)));
    }
  });
  return out;
}

void SqlRegistryStore::set_registered_model_tag(const std::string& name, const core::Tag& tag) {
  const auto& q = *sql_;
  write([&](db::Connection& conn) {
    require_model(q, conn, name);
    auto& st = conn.cached(q.upsert_model_tag);
    st.bind(1, tag.key).bind(2, tag.value).bind(3, name).run();
  });
}

void SqlRegistryStore::delete_registered_model_tag(const std::string& name, const std::string& key) {
  const auto& q = *sql_;
  write([&](db::Connection& conn) {
    require_model(q, conn, name);
    auto& st = conn.cached(q.delete_model_tag);
    st.bind(1, name).bind(2, key).run();
  });
}

// ---------------------------------------------------------------------------------------------
// Model versions

core::ModelVersion SqlRegistryStore::create_model_version(const NewModelVersion& request) {
  const auto& q = *sql_;
  core::ModelVersion out;
  write([&](db::Connection& conn) {
    SqlSourceLookup lookup(q, conn);
    auto resolved = core::resolve_model_version_source(
        {request.source, request.run_id, request.model_id, request.is_prompt}, lookup);
    require_model(q, conn, request.name);
    // Touching the model first locks its row: another server creating a version of the same
    // model on a shared database waits here, then sees this version (PostgreSQL, READ COMMITTED).
    auto now = util::now_ms();
    touch_model(q, conn, request.name, now);
    std::int64_t version = 1;
    {
      auto& st = conn.cached(q.max_version);  // soft-deleted count too
      st.bind(1, request.name);
      if (st.step() && !st.is_null(0)) version = st.int64(0) + 1;
      st.reset();
    }
    auto& ins = conn.cached(q.insert_version);
    ins.bind(1, request.name).bind(2, version).bind(3, now).bind(4, now).bind(5, request.description)
        .bind(6, reg::kStageNone).bind(7, request.source).bind(8, resolved.run_id).bind(9, reg::kStatusReady)
        .bind(10, request.run_link).bind(11, resolved.storage_location).run();
    for (const auto& t : last_value_per_key(request.tags)) {
      auto& st = conn.cached(q.insert_version_tag);
      st.bind(1, t.key).bind(2, t.value).bind(3, request.name).bind(4, version).run();
    }
    if (!request.model_id.empty() && !request.is_prompt) link_logged_model(conn, request.model_id, request.name, version);
    out = with_aliases(q, conn, require_version(q, conn, request.name, version));
  });
  return out;
}

core::ModelVersion SqlRegistryStore::get_model_version(const std::string& name, std::int64_t version) {
  const auto& q = *sql_;
  core::ModelVersion out;
  read([&](db::Connection& conn) { out = with_aliases(q, conn, require_version(q, conn, name, version)); });
  return out;
}

core::ModelVersion SqlRegistryStore::update_model_version(const std::string& name, std::int64_t version,
                                                             const std::optional<std::string>& description) {
  const auto& q = *sql_;
  core::ModelVersion out;
  write([&](db::Connection& conn) {
    require_version(q, conn, name, version);
    auto& st = conn.cached(q.update_version);
    st.bind(1, description).bind(2, util::now_ms()).bind(3, name).bind(4, version).run();
    out = with_aliases(q, conn, require_version(q, conn, name, version));
  });
  return out;
}

core::ModelVersion SqlRegistryStore::transition_model_version_stage(const std::string& name, std::int64_t version,
                                                                       const std::string& stage,
                                                                       bool archive_existing_versions) {
  const auto& q = *sql_;
  core::ModelVersion out;
  write([&](db::Connection& conn) {
    require_version(q, conn, name, version);
    auto now = util::now_ms();
    if (archive_existing_versions) {
      auto& st = conn.cached(q.archive_stage);
      st.bind(1, reg::kStageArchived).bind(2, now).bind(3, name).bind(4, version).bind(5, stage).run();
    }
    auto& st = conn.cached(q.set_stage);
    st.bind(1, stage).bind(2, now).bind(3, name).bind(4, version).run();
    touch_model(q, conn, name, now);
    out = with_aliases(q, conn, require_version(q, conn, name, version));
  });
  return out;
}

void SqlRegistryStore::delete_model_version(const std::string& name, std::int64_t version) {
  const auto& q = *sql_;
  write([&](db::Connection& conn) {
    require_version(q, conn, name, version);
    auto now = util::now_ms();
    touch_model(q, conn, name, now);
    auto& aliases = conn.cached(q.delete_version_aliases);
    aliases.bind(1, name).bind(2, version).run();
    auto& st = conn.cached(q.delete_version);
    st.bind(1, reg::kStageDeletedInternal).bind(2, now).bind(3, name).bind(4, version).run();
  });
}

std::string SqlRegistryStore::get_model_version_download_uri(const std::string& name, std::int64_t version) {
  const auto& q = *sql_;
  std::string uri;
  read([&](db::Connection& conn) {
    auto v = require_version(q, conn, name, version);
    uri = v.storage_location && !v.storage_location->empty() ? *v.storage_location : v.source.value_or("");
  });
  return uri;
}

std::vector<core::ModelVersion> SqlRegistryStore::search_model_versions(const RegistrySearchQuery& query) {
  const auto& q = *sql_;
  auto sql = compile_model_version_search(query, db_.dialect(), q.ws.on);
  std::vector<core::ModelVersion> out;
  read([&](db::Connection& conn) {
    {
      auto st = conn.prepare(sql.text);
      bind_all(st, sql.binds);
      while (st.step()) out.push_back(read_version_row(st));
    }
    for (auto& v : out) load_version_tags(q, conn, v);
  });
  return out;
}

void SqlRegistryStore::set_model_version_tag(const std::string& name, std::int64_t version, const core::Tag& tag) {
  const auto& q = *sql_;
  write([&](db::Connection& conn) {
    require_version(q, conn, name, version);
    auto& st = conn.cached(q.upsert_version_tag);
    st.bind(1, tag.key).bind(2, tag.value).bind(3, name).bind(4, version).run();
  });
}

void SqlRegistryStore::delete_model_version_tag(const std::string& name, std::int64_t version,
                                                   const std::string& key) {
  const auto& q = *sql_;
  write([&](db::Connection& conn) {
    require_version(q, conn, name, version);
    auto& st = conn.cached(q.delete_version_tag);
    st.bind(1, name).bind(2, version).bind(3, key).run();
  });
}

// ---------------------------------------------------------------------------------------------
// Aliases

void SqlRegistryStore::set_registered_model_alias(const std::string& name, const std::string& alias,
                                                     std::int64_t version) {
  const auto& q = *sql_;
  write([&](db::Connection& conn) {
    require_version(q, conn, name, version);
    auto& st = conn.cached(q.upsert_alias);
    st.bind(1, alias).bind(2, version).bind(3, name).run();
  });
}

void SqlRegistryStore::delete_registered_model_alias(const std::string& name, const std::string& alias) {
  const auto& q = *sql_;
  write([&](db::Connection& conn) {
    require_model(q, conn, name);
    auto& st = conn.cached(q.delete_alias);
    st.bind(1, name).bind(2, alias).run();
  });
}

core::ModelVersion SqlRegistryStore::get_model_version_by_alias(const std::string& name, const std::string& alias) {
  const auto& q = *sql_;
  core::ModelVersion out;
  read([&](db::Connection& conn) {
    require_model(q, conn, name);
    if (core::is_latest_alias(alias)) {  // the highest live version (mlflow-api.md §7 row 25)
      auto& st = conn.cached(q.latest_version);
      st.bind(1, name);
      std::optional<std::int64_t> latest;
      if (st.step() && !st.is_null(0)) latest = st.int64(0);
      st.reset();
      if (!latest) core::throw_not_found("Latest version not found for model " + name + ".");
      out = with_aliases(q, conn, require_version(q, conn, name, *latest));
      return;
    }
    std::optional<std::int64_t> version;
    auto& st = conn.cached(q.alias_version);
    st.bind(1, name).bind(2, alias);
    if (st.step()) version = st.int64(0);
    st.reset();
    if (!version) core::throw_invalid("Registered model alias " + alias + " not found.");
    out = with_aliases(q, conn, require_version(q, conn, name, *version));
  });
  return out;
}

}  // namespace sextant::store::sql
