#include "store/sql/sql_scorer_store.hpp"

#include "core/error.hpp"
#include "store/sql/experiment_rows.hpp"
#include "util/random_id.hpp"
#include "util/time.hpp"

namespace sextant::store::sql {

namespace {

constexpr const char* kVersionColumns =
    "SELECT s.experiment_id, s.scorer_name, v.scorer_version, v.serialized_scorer, v.creation_time, v.scorer_id "
    "FROM scorer_versions v JOIN scorers s ON s.scorer_id = v.scorer_id ";

core::ScorerVersion read_version(db::Statement& st) {
  core::ScorerVersion v;
  v.experiment_id = st.int64(0);
  v.scorer_name = st.text(1);
  v.scorer_version = st.int64(2);
  v.serialized_scorer = st.text(3);
  v.creation_time = st.opt_int64(4).value_or(0);
  v.scorer_id = st.text(5);
  return v;
}

std::vector<core::ScorerVersion> read_versions(db::Statement& st) {
  std::vector<core::ScorerVersion> out;
  while (st.step()) out.push_back(read_version(st));
  st.reset();
  return out;
}

[[noreturn]] void scorer_not_found(const std::string& experiment_id, const std::string& name) {
  core::throw_not_found("Scorer with name '" + name + "' not found for experiment " + experiment_id + ".");
}

[[noreturn]] void version_not_found(const std::string& experiment_id, const std::string& name, std::int64_t version) {
  core::throw_not_found("Scorer with name '" + name + "' and version " + std::to_string(version) +
                        " not found for experiment " + experiment_id + ".");
}

// The scorer id of (experiment, name), nullopt when the name was never registered (or deleted).
std::optional<std::string> scorer_id(db::Connection& conn, std::int64_t experiment_id, const std::string& name) {
  auto& st = conn.cached("SELECT scorer_id FROM scorers WHERE experiment_id = ? AND scorer_name = ?");
  st.bind(1, experiment_id).bind(2, name);
  std::optional<std::string> id;
  if (st.step()) id = st.text(0);
  st.reset();
  return id;
}

std::string existing_scorer_id(db::Connection& conn, std::int64_t experiment_id, const std::string& experiment,
                               const std::string& name) {
  auto id = scorer_id(conn, experiment_id, name);
  if (!id) scorer_not_found(experiment, name);
  return *id;
}

std::int64_t experiment_key(db::Connection& conn, const std::string& experiment_id) {
  return std::stoll(active_experiment(conn, experiment_id).experiment_id);
}

std::string affinity(const std::string& experiment_id) { return "scorers/" + experiment_id; }

}  // namespace

core::ScorerVersion SqlScorerStore::register_scorer(const std::string& experiment_id, const std::string& name,
                                                    const std::string& serialized_scorer) {
  core::ScorerVersion result;
  db_.write(
      [&](db::Connection& conn) {
        const std::int64_t experiment = experiment_key(conn, experiment_id);
        auto id = scorer_id(conn, experiment, name);
        if (!id) {
          id = util::uuid4_dashed();
          conn.cached("INSERT INTO scorers (experiment_id, scorer_name, scorer_id) VALUES (?, ?, ?)")
              .bind(1, experiment)
              .bind(2, name)
              .bind(3, *id)
              .run();
        }
        auto& max = conn.cached("SELECT MAX(scorer_version) FROM scorer_versions WHERE scorer_id = ?");
        max.bind(1, *id);
        std::int64_t version = (max.step() ? max.opt_int64(0).value_or(0) : 0) + 1;
        max.reset();
        const std::int64_t now = util::now_ms();
        conn.cached(
                "INSERT INTO scorer_versions (scorer_id, scorer_version, serialized_scorer, creation_time) VALUES "
                "(?, ?, ?, ?)")
            .bind(1, *id)
            .bind(2, version)
            .bind(3, serialized_scorer)
            .bind(4, now)
            .run();
        result = {experiment, name, version, serialized_scorer, now, *id};
      },
      affinity(experiment_id));
  return result;
}

std::vector<core::ScorerVersion> SqlScorerStore::list_scorers(const std::string& experiment_id) {
  std::vector<core::ScorerVersion> out;
  db_.read([&](db::Connection& conn) {
    const std::int64_t experiment = experiment_key(conn, experiment_id);
    auto& st = conn.cached(std::string(kVersionColumns) +
                           "WHERE s.experiment_id = ? AND v.scorer_version = (SELECT MAX(m.scorer_version) FROM "
                           "scorer_versions m WHERE m.scorer_id = v.scorer_id) ORDER BY s.scorer_name");
    st.bind(1, experiment);
    out = read_versions(st);
  });
  return out;
}

std::vector<core::ScorerVersion> SqlScorerStore::list_scorer_versions(const std::string& experiment_id,
                                                                      const std::string& name) {
  std::vector<core::ScorerVersion> out;
  db_.read([&](db::Connection& conn) {
    const std::int64_t experiment = experiment_key(conn, experiment_id);
    auto id = existing_scorer_id(conn, experiment, experiment_id, name);
    auto& st = conn.cached(std::string(kVersionColumns) + "WHERE v.scorer_id = ? ORDER BY v.scorer_version");
    st.bind(1, id);
    out = read_versions(st);
    if (out.empty()) scorer_not_found(experiment_id, name);
  });
  return out;
}

core::ScorerVersion SqlScorerStore::get_scorer(const std::string& experiment_id, const std::string& name,
                                               std::optional<std::int64_t> version) {
  core::ScorerVersion result;
  db_.read([&](db::Connection& conn) {
    const std::int64_t experiment = experiment_key(conn, experiment_id);
    auto id = existing_scorer_id(conn, experiment, experiment_id, name);
    auto& st = version ? conn.cached(std::string(kVersionColumns) + "WHERE v.scorer_id = ? AND v.scorer_version = ?")
                       : conn.cached(std::string(kVersionColumns) +
                                     "WHERE v.scorer_id = ? ORDER BY v.scorer_version DESC LIMIT 1");
    st.bind(1, id);
    if (version) st.bind(2, *version);
    auto found = read_versions(st);
    if (found.empty()) {
      if (version) version_not_found(experiment_id, name, *version);
      scorer_not_found(experiment_id, name);
    }
    result = found.front();
  });
  return result;
}

void SqlScorerStore::delete_scorer(const std::string& experiment_id, const std::string& name,
                                   std::optional<std::int64_t> version) {
  db_.write(
      [&](db::Connection& conn) {
        const std::int64_t experiment = experiment_key(conn, experiment_id);
        auto id = existing_scorer_id(conn, experiment, experiment_id, name);
        if (version) {
          conn.cached("DELETE FROM scorer_versions WHERE scorer_id = ? AND scorer_version = ?")
              .bind(1, id)
              .bind(2, *version)
              .run();
          if (conn.changes() == 0) version_not_found(experiment_id, name, *version);
          return;
        }
        conn.cached("DELETE FROM scorer_versions WHERE scorer_id = ?").bind(1, id).run();
        if (conn.changes() == 0) scorer_not_found(experiment_id, name);
        conn.cached("DELETE FROM scorers WHERE scorer_id = ?").bind(1, id).run();
      },
      affinity(experiment_id));
}

}  // namespace sextant::store::sql
