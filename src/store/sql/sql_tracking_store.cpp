#include "store/sql/sql_tracking_store.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

#include "core/artifact_uri.hpp"
#include "core/error.hpp"
#include "core/step_union.hpp"
#include "store/sql/experiment_rows.hpp"
#include "store/sql/schema.hpp"
#include "store/sql/search_sql.hpp"
#include "store/sql/sql_helpers.hpp"
#include "util/random_id.hpp"
#include "util/time.hpp"

namespace sextant::store::sql {

using core::ErrorCode;
using core::MlflowError;

namespace {

constexpr std::size_t kInChunk = 500;  // ids per IN (...) list

[[noreturn]] void run_not_found(const std::string& id) { core::throw_not_found("Run with id=" + id + " not found"); }

// --- runs ---

const char* kRunColumns =
    "SELECT run_uuid, name, experiment_id, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage "
    "FROM runs";

core::RunInfo read_run_info(db::Statement& st) {
  core::RunInfo info;
  info.run_id = st.text(0);
  info.run_name = st.opt_text(1);
  info.experiment_id = st.is_null(2) ? "" : std::to_string(st.int64(2));
  info.user_id = st.text(3);
  info.status = st.text(4);
  info.start_time = st.opt_int64(5).value_or(0);
  auto end = st.opt_int64(6);
  if (end && *end) info.end_time = end;
  info.artifact_uri = st.text(7);
  info.lifecycle_stage = st.text(8);
  return info;
}

std::optional<core::RunInfo> run_info(db::Connection& conn, const std::string& run_id) {
  auto& st = conn.cached(std::string(kRunColumns) + " WHERE run_uuid = ?");
  st.bind(1, run_id);
  if (!st.step()) {
    st.reset();
    return std::nullopt;
  }
  auto info = read_run_info(st);
  st.reset();
  return info;
}

core::RunInfo active_run(db::Connection& conn, const std::string& run_id) {
  auto info = run_info(conn, run_id);
  if (!info) run_not_found(run_id);
  if (info->lifecycle_stage != "active") {
    core::throw_invalid("The run " + run_id + " must be in the 'active' state. Current state is " +
                        info->lifecycle_stage + ".");
  }
  return *info;
}

// Fills data, inputs and outputs for the given runs (keyed by run id), a chunk at a time.
void load_run_data(db::Connection& conn, std::vector<core::Run>& runs, bool with_model_inputs) {
  std::unordered_map<std::string, core::Run*> by_id;
  for (auto& r : runs) by_id[r.info.run_id] = &r;
  for (std::size_t start = 0; start < runs.size(); start += kInChunk) {
    std::size_t n = std::min(kInChunk, runs.size() - start);
    auto ids = in_placeholders(n);
    auto bind_ids = [&](db::Statement& st) {
      for (std::size_t i = 0; i < n; ++i) st.bind(static_cast<int>(i + 1), runs[start + i].info.run_id);
    };
    {
      auto st = conn.prepare("SELECT run_uuid, key, value, timestamp, step, is_nan FROM latest_metrics WHERE run_uuid IN (" +
                             ids + ") ORDER BY key");
      bind_ids(st);
      while (st.step()) {
        core::Metric m;
        m.key = st.text(1);
        m.value = loaded_metric(st.real(2), st.int64(5));
        m.timestamp = st.opt_int64(3).value_or(0);
        m.step = st.int64(4);
        by_id[st.text(0)]->metrics.push_back(std::move(m));
      }
    }
    {
      auto st = conn.prepare("SELECT run_uuid, key, value FROM params WHERE run_uuid IN (" + ids + ") ORDER BY key");
      bind_ids(st);
      while (st.step()) by_id[st.text(0)]->params.push_back({st.text(1), st.text(2)});
    }
    {
      auto st = conn.prepare("SELECT run_uuid, key, value FROM tags WHERE run_uuid IN (" + ids + ") ORDER BY key");
      bind_ids(st);
      while (st.step()) by_id[st.text(0)]->tags.push_back({st.text(1), st.text(2)});
    }
    {
      auto st = conn.prepare(
          "SELECT i.destination_id, i.input_uuid, d.name, d.digest, d.dataset_source_type, d.dataset_source, "
          "d.dataset_schema, d.dataset_profile FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id "
          "WHERE i.source_type = 'DATASET' AND i.destination_type = 'RUN' AND i.destination_id IN (" + ids +
          ") ORDER BY d.name, d.digest");
      bind_ids(st);
      while (st.step()) {
        core::DatasetInput in;
        in.dataset = {st.text(2), st.text(3), st.text(4), st.text(5), st.opt_text(6), st.opt_text(7)};
        auto& tags = conn.cached("SELECT name, value FROM input_tags WHERE input_uuid = ? ORDER BY name");
        tags.bind(1, st.text(1));
        while (tags.step()) in.tags.push_back({tags.text(0), tags.text(1)});
        tags.reset();
        by_id[st.text(0)]->dataset_inputs.push_back(std::move(in));
      }
    }
    {
      auto st = conn.prepare(
          "SELECT source_id, destination_id, step, destination_type FROM inputs WHERE source_type IN ('RUN_OUTPUT', "
          "'RUN_INPUT') AND source_id IN (" + ids + ") ORDER BY step, destination_id");
      bind_ids(st);
      while (st.step()) {
        auto* run = by_id[st.text(0)];
        if (st.text(3) == "MODEL_OUTPUT") {
          run->model_outputs.push_back({st.text(1), st.int64(2)});
        } else if (with_model_inputs) {
          run->model_inputs.push_back(st.text(1));
        }
      }
    }
  }
}

void insert_tag(db::Connection& conn, const std::string& run_id, const core::Tag& tag) {
  auto& st = conn.cached(conn.dialect().upsert(
      "tags (key, value, run_uuid) VALUES (?, ?, ?)", "key, run_uuid", "value = EXCLUDED(value)"));
  st.bind(1, tag.key).bind(2, tag.value).bind(3, run_id).run();
  if (tag.key == "mlflow.runName") {
    auto& up = conn.cached("UPDATE runs SET name = ? WHERE run_uuid = ?");
    up.bind(1, tag.value).bind(2, run_id).run();
  }
}

// Metric values of logged models (log-metric with model_id), for models that exist.
void log_model_metrics(db::Connection& conn, const std::string& run_id, std::int64_t experiment_id,
                       const std::vector<core::Metric>& metrics) {
  std::set<std::string> known;
  for (const auto& m : metrics) {
    if (!m.model_id || known.count(*m.model_id)) continue;
    auto& exists = conn.cached("SELECT 1 FROM logged_models WHERE model_id = ?");
    exists.bind(1, *m.model_id);
    if (exists.step()) known.insert(*m.model_id);
    exists.reset();
  }
  for (const auto& m : metrics) {
    if (!m.model_id || !known.count(*m.model_id)) continue;
    auto [value, is_nan] = storable_metric(m.value);
    auto& lm = conn.cached(conn.dialect().insert_ignore(
        "logged_model_metrics (model_id, metric_name, metric_timestamp_ms, metric_step, metric_value, experiment_id, "
        "run_id, dataset_uuid, dataset_name, dataset_digest) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)"));
    lm.bind(1, *m.model_id).bind(2, m.key).bind(3, m.timestamp).bind(4, m.step);
    if (is_nan) lm.bind_null(5); else lm.bind(5, value);
    lm.bind(6, experiment_id).bind(7, run_id).bind(8, m.dataset_name).bind(9, m.dataset_digest).run();
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Experiments

std::string SqlTrackingStore::create_experiment(const std::string& name,
                                                   const std::optional<std::string>& artifact_location,
                                                   const std::vector<core::Tag>& tags) {
  std::string id;
  write([&](db::Connection& conn) {
    auto& exists = conn.cached(experiments_.name_taken);
    exists.bind(1, name);
    bool found = exists.step();
    exists.reset();
    if (found) {
      throw MlflowError(ErrorCode::RESOURCE_ALREADY_EXISTS, "Experiment(name=" + name + experiments_.create_conflict);
    }
    auto now = util::now_ms();
    auto new_id = db::insert_returning_id(
        conn, experiments_.insert,
        "experiment_id", [&](db::Statement& ins) {
          ins.bind(1, name).bind(2, artifact_location.value_or("")).bind(3, now).bind(4, now);
        });
    id = std::to_string(new_id);
    if (!artifact_location || artifact_location->empty()) {
      auto& up = conn.cached("UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?");
      up.bind(1, core::artifact_uri_join(db_.default_artifact_root(), id)).bind(2, new_id).run();
    }
    for (const auto& tag : tags) {
      auto& t = conn.cached(conn.dialect().upsert(
          "experiment_tags (key, value, experiment_id) VALUES (?, ?, ?)",
          "key, experiment_id",
          "value = EXCLUDED(value)"));
      t.bind(1, tag.key).bind(2, tag.value).bind(3, new_id).run();
    }
  });
  return id;
}

core::Experiment SqlTrackingStore::get_experiment(const std::string& experiment_id) {
  std::optional<core::Experiment> e;
  read([&](db::Connection& conn) { e = experiment_by_id(conn, require_experiment_id(experiment_id)); });
  if (!e) experiment_not_found(experiment_id);
  return *e;
}

std::optional<core::Experiment> SqlTrackingStore::find_experiment_by_name(const std::string& name) {
  std::optional<core::Experiment> e;
  read([&](db::Connection& conn) {
    auto& st = conn.cached(experiments_.by_name);
    st.bind(1, name);
    if (st.step()) e = read_experiment_row(st);
    st.reset();
    if (e) load_experiment_tags(conn, *e);
  });
  return e;
}

std::vector<core::Experiment> SqlTrackingStore::search_experiments(const ExperimentQuery& query) {
  std::vector<core::Experiment> out;
  auto sql = compile_experiment_search(query, db_.dialect(), experiments_.workspaces);
  read([&](db::Connection& conn) {
    std::vector<std::int64_t> ids;
    {
      auto st = conn.prepare(sql.text);
      bind_all(st, sql.binds);
      while (st.step()) ids.push_back(st.int64(0));
    }
    for (auto id : ids) {
      if (auto e = experiment_by_id(conn, id)) out.push_back(std::move(*e));
    }
  });
  return out;
}

void SqlTrackingStore::delete_experiment(const std::string& experiment_id) {
  write([&](db::Connection& conn) {
    auto id = parse_experiment_id(experiment_id);
    if (!id) experiment_not_found(experiment_id);
    auto now = util::now_ms();
    auto& st = conn.cached(
        "UPDATE experiments SET lifecycle_stage = 'deleted', last_update_time = ? WHERE experiment_id = ? AND "
        "lifecycle_stage = 'active'");
    st.bind(1, now).bind(2, *id).run();
    if (conn.changes() == 0) experiment_not_found(experiment_id);
    auto& runs = conn.cached("UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = ? WHERE experiment_id = ?");
    runs.bind(1, now).bind(2, *id).run();
  });
}

void SqlTrackingStore::restore_experiment(const std::string& experiment_id) {
  write([&](db::Connection& conn) {
    auto id = parse_experiment_id(experiment_id);
    if (!id) experiment_not_found(experiment_id);
    auto& st = conn.cached(
        "UPDATE experiments SET lifecycle_stage = 'active', last_update_time = ? WHERE experiment_id = ? AND "
        "lifecycle_stage = 'deleted'");
    st.bind(1, util::now_ms()).bind(2, *id).run();
    if (conn.changes() == 0) experiment_not_found(experiment_id);
    auto& runs = conn.cached("UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL WHERE experiment_id = ?");
    runs.bind(1, *id).run();
  });
}

void SqlTrackingStore::rename_experiment(const std::string& experiment_id, const std::string& new_name) {
  write([&](db::Connection& conn) {
    auto e = experiment_by_id(conn, require_experiment_id(experiment_id));
    if (!e) experiment_not_found(experiment_id);
    if (e->lifecycle_stage != "active") core::throw_invalid("Cannot rename a non-active experiment.");
    if (e->name == new_name) return;
    auto& exists = conn.cached(experiments_.name_taken);
    exists.bind(1, new_name);
    bool found = exists.step();
    exists.reset();
    if (found) {
      throw MlflowError(ErrorCode::RESOURCE_ALREADY_EXISTS, "Experiment(name=" + new_name + ") already exists.");
    }
    auto& st = conn.cached("UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?");
    st.bind(1, new_name).bind(2, util::now_ms()).bind(3, std::stoll(e->experiment_id)).run();
  });
}

void SqlTrackingStore::set_experiment_tag(const std::string& experiment_id, const core::Tag& tag) {
  write([&](db::Connection& conn) {
    auto e = active_experiment(conn, experiment_id);
    auto& st = conn.cached(conn.dialect().upsert(
        "experiment_tags (key, value, experiment_id) VALUES (?, ?, ?)",
        "key, experiment_id",
        "value = EXCLUDED(value)"));
    st.bind(1, tag.key).bind(2, tag.value).bind(3, std::stoll(e.experiment_id)).run();
  });
}

void SqlTrackingStore::delete_experiment_tag(const std::string& experiment_id, const std::string& key) {
  write([&](db::Connection& conn) {
    auto e = active_experiment(conn, experiment_id);
    auto& st = conn.cached("DELETE FROM experiment_tags WHERE experiment_id = ? AND key = ?");
    st.bind(1, std::stoll(e.experiment_id)).bind(2, key).run();
    if (conn.changes() == 0) {
      core::throw_not_found("No tag with name: " + key + " in experiment with id " + experiment_id);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Runs

core::Run SqlTrackingStore::create_run(const NewRun& request) {
  core::Run run;
  const std::string run_id = util::uuid4_hex();  // chosen first: it picks the writer
  write([&](db::Connection& conn) {
    auto e = active_experiment(conn, request.experiment_id);
    run = core::Run{};
    run.info.run_id = run_id;
    run.info.run_name = request.run_name;
    run.info.experiment_id = e.experiment_id;
    run.info.user_id = request.user_id;
    run.info.status = "RUNNING";
    run.info.start_time = request.start_time;
    run.info.artifact_uri = core::artifact_uri_join(e.artifact_location, run.info.run_id + "/artifacts");
    run.info.lifecycle_stage = "active";
    auto& st = conn.cached(
        "INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, "
        "end_time, source_version, lifecycle_stage, artifact_uri, experiment_id, deleted_time) VALUES (?, ?, "
        "'UNKNOWN', '', '', ?, 'RUNNING', ?, NULL, '', 'active', ?, ?, NULL)");
    st.bind(1, run.info.run_id)
        .bind(2, request.run_name)
        .bind(3, request.user_id)
        .bind(4, request.start_time)
        .bind(5, run.info.artifact_uri)
        .bind(6, std::stoll(e.experiment_id))
        .run();
    std::map<std::string, std::string> tags;
    for (const auto& t : request.tags) tags[t.key] = t.value;
    for (const auto& [k, v] : tags) run.tags.push_back({k, v});
    insert_rows(conn, run.tags.size(), [](std::size_t n) {
      return "INSERT INTO tags (key, value, run_uuid) VALUES " + row_placeholders(n, 3);
    }, [&](db::Statement& t, int i, std::size_t row) {
      t.bind(i, run.tags[row].key).bind(i + 1, run.tags[row].value).bind(i + 2, run.info.run_id);
      return i + 3;
    });
  }, run_id);
  return run;
}

core::Run SqlTrackingStore::get_run(const std::string& run_id) {
  std::vector<core::Run> runs(1);
  read([&](db::Connection& conn) {
    auto info = run_info(conn, run_id);
    if (!info) run_not_found(run_id);
    runs[0].info = std::move(*info);
    load_run_data(conn, runs, /*with_model_inputs=*/true);
  });
  auto& run = runs[0];
  if (!run.info.run_name || run.info.run_name->empty()) {
    for (const auto& t : run.tags)
      if (t.key == "mlflow.runName") run.info.run_name = t.value;
  }
  return std::move(run);
}

core::RunInfo SqlTrackingStore::update_run(const std::string& run_id, const RunUpdate& update) {
  core::RunInfo info;
  write([&](db::Connection& conn) {
    info = active_run(conn, run_id);
    if (update.status) {
      auto& st = conn.cached("UPDATE runs SET status = ? WHERE run_uuid = ?");
      st.bind(1, *update.status).bind(2, run_id).run();
      info.status = *update.status;
    }
    if (update.end_time) {
      auto& st = conn.cached("UPDATE runs SET end_time = ? WHERE run_uuid = ?");
      st.bind(1, *update.end_time).bind(2, run_id).run();
      info.end_time = *update.end_time ? update.end_time : std::nullopt;
    }
    if (update.run_name && !update.run_name->empty()) {
      insert_tag(conn, run_id, {"mlflow.runName", *update.run_name});
      info.run_name = *update.run_name;
    }
  }, run_id);
  return info;
}

void SqlTrackingStore::delete_run(const std::string& run_id) {
  write([&](db::Connection& conn) {
    auto& st = conn.cached("UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = ? WHERE run_uuid = ?");
    st.bind(1, util::now_ms()).bind(2, run_id).run();
    if (conn.changes() == 0) run_not_found(run_id);
  }, run_id);
}

void SqlTrackingStore::restore_run(const std::string& run_id) {
  write([&](db::Connection& conn) {
    auto& st = conn.cached("UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL WHERE run_uuid = ?");
    st.bind(1, run_id).run();
    if (conn.changes() == 0) run_not_found(run_id);
  }, run_id);
}

std::vector<core::Run> SqlTrackingStore::search_runs(const RunQuery& query) {
  RunQuery q = query;
  // Non-numeric experiment ids cannot match anything.
  q.experiment_ids.erase(std::remove_if(q.experiment_ids.begin(), q.experiment_ids.end(),
                                        [](const std::string& id) { return !parse_experiment_id(id); }),
                         q.experiment_ids.end());
  std::vector<core::Run> runs;
  if (q.experiment_ids.empty()) return runs;
  auto sql = compile_run_search(q, db_.dialect());
  read([&](db::Connection& conn) {
    std::vector<std::string> ids;
    {
      auto st = conn.prepare(sql.text);
      bind_all(st, sql.binds);
      while (st.step()) ids.push_back(st.text(0));
    }
    runs.reserve(ids.size());
    for (const auto& id : ids) {
      if (auto info = run_info(conn, id)) runs.push_back(core::Run{std::move(*info), {}, {}, {}, {}, {}, {}});
    }
    load_run_data(conn, runs, /*with_model_inputs=*/false);
  });
  for (auto& run : runs) {
    if (!run.info.run_name || run.info.run_name->empty()) {
      for (const auto& t : run.tags)
        if (t.key == "mlflow.runName") run.info.run_name = t.value;
    }
  }
  return runs;
}

// ---------------------------------------------------------------------------------------------
// Logging

void SqlTrackingStore::log_batch(const std::string& run_id, const std::vector<core::Metric>& metrics,
                                    const std::vector<core::Param>& params, const std::vector<core::Tag>& tags) {
  write([&](db::Connection& conn) {
    auto info = active_run(conn, run_id);
    // Params: same value again is a no-op; a different value is an error for the whole batch.
    std::vector<std::string> changed;
    std::vector<const core::Param*> new_params;
    for (const auto& p : params) {
      auto& st = conn.cached("SELECT value FROM params WHERE run_uuid = ? AND key = ?");
      st.bind(1, run_id).bind(2, p.key);
      if (st.step()) {
        auto old = st.text(0);
        if (old != p.value) changed.push_back("{'key': '" + p.key + "', 'old_value': '" + old + "', 'new_value': '" + p.value + "'}");
      } else {
        new_params.push_back(&p);
      }
      st.reset();
    }
    if (!changed.empty()) {
      if (params.size() == 1 && metrics.empty() && tags.empty()) {
        auto& st = conn.cached("SELECT value FROM params WHERE run_uuid = ? AND key = ?");
        st.bind(1, run_id).bind(2, params[0].key);
        std::string old = st.step() ? st.text(0) : "";
        st.reset();
        core::throw_invalid("Changing param values is not allowed. Param with key='" + params[0].key +
                            "' was already logged with value='" + old + "' for run ID='" + run_id +
                            "'. Attempted logging new value '" + params[0].value + "'.");
      }
      std::string list = "[";
      for (std::size_t i = 0; i < changed.size(); ++i) list += (i ? ", " : "") + changed[i];
      list += "]";
      core::throw_invalid("Changing param values is not allowed. Params were already logged='" + list +
                          "' for run ID='" + run_id + "'.");
    }
    for (const auto* p : new_params) {
      auto& st = conn.cached("INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)");
      st.bind(1, p->key).bind(2, p->value).bind(3, run_id).run();
    }
    // Metrics: multi-row inserts (exact duplicates ignored), fold the latest per key, then one
    // conditional upsert of latest_metrics (the new row wins if (step, timestamp, value) is greater).
    const auto& d = conn.dialect();
    insert_rows(conn, metrics.size(), [&](std::size_t rows) {
      return d.insert_ignore("metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES " + row_placeholders(rows, 6));
    }, [&](db::Statement& st, int i, std::size_t row) {
      const auto& m = metrics[row];
      auto [value, is_nan] = storable_metric(m.value);
      st.bind(i, m.key).bind(i + 1, value).bind(i + 2, m.timestamp).bind(i + 3, run_id).bind(i + 4, m.step);
      st.bind(i + 5, is_nan ? 1 : 0);
      return i + 6;
    });
    struct Latest {
      std::string_view key;
      std::int64_t step, timestamp;
      double value;
      bool is_nan;
    };
    std::map<std::string_view, Latest> latest;
    bool has_model_metrics = false;
    for (const auto& m : metrics) {
      auto [value, is_nan] = storable_metric(m.value);
      Latest cand{m.key, m.step, m.timestamp, value, is_nan};
      auto it = latest.find(m.key);
      if (it == latest.end()) {
        latest.emplace(m.key, cand);
      } else if (std::tie(cand.step, cand.timestamp, cand.value) > std::tie(it->second.step, it->second.timestamp, it->second.value)) {
        it->second = cand;
      }
      has_model_metrics = has_model_metrics || m.model_id;
    }
    if (has_model_metrics) log_model_metrics(conn, run_id, std::stoll(info.experiment_id), metrics);
    std::vector<const Latest*> rows;
    for (const auto& [key, cand] : latest) rows.push_back(&cand);
    if (!d.has_conditional_upsert()) {  // lock the stored rows (MLflow's FOR UPDATE), keep the winners
      std::erase_if(rows, [&](const Latest* c) {
        auto& st = conn.cached("SELECT step, timestamp, value FROM latest_metrics WHERE run_uuid = ? AND key = ?" +
                               d.for_update());
        st.bind(1, run_id).bind(2, c->key);
        bool loses = st.step() && !(std::make_tuple(c->step, c->timestamp, c->value) >
                                    std::make_tuple(st.int64(0), st.opt_int64(1).value_or(0), st.real(2)));
        st.reset();
        return loses;
      });
    }
    insert_rows(conn, rows.size(), [&](std::size_t n) {
      std::string rest = "latest_metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES " + row_placeholders(n, 6);
      if (!d.has_conditional_upsert()) {
        return d.upsert(rest, "key, run_uuid",
                        "value = EXCLUDED(value), timestamp = EXCLUDED(timestamp), step = EXCLUDED(step), is_nan = "
                        "EXCLUDED(is_nan)");
      }
      return "INSERT INTO " + rest +
             " ON CONFLICT (key, run_uuid) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp, step = "
             "excluded.step, is_nan = excluded.is_nan WHERE excluded.step > latest_metrics.step OR (excluded.step = "
             "latest_metrics.step AND (excluded.timestamp > COALESCE(latest_metrics.timestamp, 0) OR "
             "(excluded.timestamp = COALESCE(latest_metrics.timestamp, 0) AND excluded.value > latest_metrics.value)))";
    }, [&](db::Statement& st, int i, std::size_t row) {
      const auto& c = *rows[row];
      st.bind(i, c.key).bind(i + 1, c.value).bind(i + 2, c.timestamp).bind(i + 3, c.step).bind(i + 4, c.is_nan ? 1 : 0);
      st.bind(i + 5, run_id);
      return i + 6;
    });
    // Tags: upsert; within one request the last value for a key wins.
    for (const auto& t : tags) insert_tag(conn, run_id, t);
  }, run_id);
}

void SqlTrackingStore::delete_tag(const std::string& run_id, const std::string& key) {
  write([&](db::Connection& conn) {
    active_run(conn, run_id);
    auto& st = conn.cached("DELETE FROM tags WHERE run_uuid = ? AND key = ?");
    st.bind(1, run_id).bind(2, key).run();
    if (conn.changes() == 0) core::throw_not_found("No tag with name: " + key + " in run with id " + run_id);
  }, run_id);
}

void SqlTrackingStore::update_tag(const std::string& run_id, const std::string& key,
                                  const std::function<std::string(const std::optional<std::string>&)>& next) {
  write([&](db::Connection& conn) {
    active_run(conn, run_id);
    auto& st = conn.cached("SELECT value FROM tags WHERE run_uuid = ? AND key = ?" + conn.dialect().for_update());
    st.bind(1, run_id).bind(2, key);
    std::optional<std::string> current;
    if (st.step()) current = st.opt_text(0).value_or("");
    st.reset();
    insert_tag(conn, run_id, {key, next(current)});
  }, run_id);
}

void SqlTrackingStore::log_inputs(const std::string& run_id, const std::vector<core::DatasetInput>& datasets,
                                     const std::vector<std::string>& model_ids) {
  write([&](db::Connection& conn) {
    auto info = active_run(conn, run_id);
    auto experiment_id = std::stoll(info.experiment_id);
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto& input : datasets) {
      const auto& d = input.dataset;
      if (!seen.insert({d.name, d.digest}).second) continue;  // first of each (name, digest) wins
      std::string dataset_uuid;
      {
        auto& st = conn.cached("SELECT dataset_uuid FROM datasets WHERE experiment_id = ? AND name = ? AND digest = ?");
        st.bind(1, experiment_id).bind(2, d.name).bind(3, d.digest);
        if (st.step()) dataset_uuid = st.text(0);
        st.reset();
      }
      if (dataset_uuid.empty()) {
        dataset_uuid = util::uuid4_hex();
        auto& ins = conn.cached(
            "INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, dataset_source_type, dataset_source, "
            "dataset_schema, dataset_profile) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        ins.bind(1, dataset_uuid).bind(2, experiment_id).bind(3, d.name).bind(4, d.digest).bind(5, d.source_type)
            .bind(6, d.source).bind(7, d.schema).bind(8, d.profile).run();
      }
      auto& edge = conn.cached(
          "SELECT 1 FROM inputs WHERE source_type = 'DATASET' AND source_id = ? AND destination_type = 'RUN' AND "
          "destination_id = ?");
      edge.bind(1, dataset_uuid).bind(2, run_id);
      bool exists = edge.step();
      edge.reset();
      if (exists) continue;
      auto input_uuid = util::uuid4_hex();
      auto& ins = conn.cached(
          "INSERT INTO inputs (input_uuid, source_type, source_id, destination_type, destination_id, step) VALUES (?, "
          "'DATASET', ?, 'RUN', ?, 0)");
      ins.bind(1, input_uuid).bind(2, dataset_uuid).bind(3, run_id).run();
      for (const auto& tag : input.tags) {
        auto& t = conn.cached(conn.dialect().upsert(
            "input_tags (input_uuid, name, value) VALUES (?, ?, ?)", "input_uuid, name", "value = EXCLUDED(value)"));
        t.bind(1, input_uuid).bind(2, tag.key).bind(3, tag.value).run();
      }
    }
    for (const auto& model_id : model_ids) {
      auto& st = conn.cached(conn.dialect().insert_ignore(
          "inputs (input_uuid, source_type, source_id, destination_type, destination_id, step) VALUES (?, 'RUN_INPUT', "
          "?, 'MODEL_INPUT', ?, 0)"));
      st.bind(1, util::uuid4_hex()).bind(2, run_id).bind(3, model_id).run();
    }
  }, run_id);
}

void SqlTrackingStore::log_outputs(const std::string& run_id, const std::vector<core::ModelOutput>& outputs) {
  write([&](db::Connection& conn) {
    active_run(conn, run_id);
    for (const auto& out : outputs) {
      auto& st = conn.cached(conn.dialect().upsert(
          "inputs (input_uuid, source_type, source_id, destination_type, destination_id, step) "
          "VALUES (?, 'RUN_OUTPUT', ?, 'MODEL_OUTPUT', ?, ?)",
          "source_type, source_id, destination_type, destination_id",
          "step = EXCLUDED(step)"));
      st.bind(1, util::uuid4_hex()).bind(2, run_id).bind(3, out.model_id).bind(4, out.step).run();
    }
  }, run_id);
}

std::vector<core::DatasetSummary> SqlTrackingStore::search_dataset_summaries(
    const std::vector<std::string>& experiment_ids, std::int64_t limit) {
  std::vector<core::DatasetSummary> out;
  std::vector<std::int64_t> ids;
  for (const auto& id : experiment_ids)
    if (auto parsed = parse_experiment_id(id)) ids.push_back(*parsed);
  if (ids.empty()) return out;
  read([&](db::Connection& conn) {
    auto st = conn.prepare(
        "SELECT DISTINCT d.experiment_id, d.name, d.digest, it.value FROM datasets d JOIN inputs i ON i.source_id = "
        "d.dataset_uuid LEFT JOIN input_tags it ON it.input_uuid = i.input_uuid AND it.name = 'mlflow.data.context' "
        "WHERE d.experiment_id IN (" + in_placeholders(ids.size()) + ") LIMIT ?");
    int i = 1;
    for (auto id : ids) st.bind(i++, id);
    st.bind(i, limit);
    while (st.step()) out.push_back({std::to_string(st.int64(0)), st.text(1), st.text(2), st.opt_text(3)});
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Metric history

std::vector<core::Metric> SqlTrackingStore::get_metric_history(const std::string& run_id, const std::string& key,
                                                                  std::int64_t limit, std::int64_t offset) {
  std::vector<core::Metric> out;
  read([&](db::Connection& conn) {
    auto& st = conn.cached(
        "SELECT value, timestamp, step, is_nan FROM metrics WHERE run_uuid = ? AND key = ? ORDER BY timestamp, step, "
        "value LIMIT ? OFFSET ?");
    // No limit: the largest one (PostgreSQL refuses SQLite's negative LIMIT).
    st.bind(1, run_id).bind(2, key).bind(3, limit < 0 ? std::numeric_limits<std::int64_t>::max() : limit).bind(4, offset);
    while (st.step()) {
      core::Metric m;
      m.key = key;
      m.value = loaded_metric(st.real(0), st.int64(3));
      m.timestamp = st.int64(1);
      m.step = st.int64(2);
      out.push_back(std::move(m));
    }
    st.reset();
  });
  return out;
}

MetricSteps SqlTrackingStore::metric_steps(const std::vector<std::string>& run_ids, const std::string& key,
                                           std::int64_t lo, std::int64_t hi) {
  MetricSteps out;
  if (run_ids.empty()) return out;
  read([&](db::Connection& conn) {
    // One query for existence (the caller asks for at most 100 runs) instead of loading each run.
    std::set<std::string> known;
    auto exists = conn.prepare("SELECT run_uuid FROM runs WHERE run_uuid IN (" + in_placeholders(run_ids.size()) + ")");
    for (std::size_t i = 0; i < run_ids.size(); ++i) exists.bind(static_cast<int>(i + 1), run_ids[i]);
    while (exists.step()) known.insert(exists.text(0));
    for (const auto& id : run_ids)
      if (!known.contains(id)) run_not_found(id);
    // Each run's first and last step: two index seeks on (run_uuid, key, step, ...).
    auto& first = conn.cached("SELECT step FROM metrics WHERE run_uuid = ? AND key = ? ORDER BY step LIMIT 1");
    auto& last = conn.cached("SELECT step FROM metrics WHERE run_uuid = ? AND key = ? ORDER BY step DESC LIMIT 1");
    std::vector<std::pair<core::StepSpan, const std::string*>> spans;
    for (const auto& id : run_ids) {
      first.bind(1, id).bind(2, key);
      last.bind(1, id).bind(2, key);
      if (first.step() && last.step()) spans.push_back({{first.int64(0), last.int64(0)}, &id});
      first.reset();
      last.reset();
    }
    // The steps themselves, widest run first: a run whose span (within the range) lies in a
    // stretch the union already holds without gaps is skipped, so runs logging every step cost
    // two seeks each and only the first is read in full.
    std::stable_sort(spans.begin(), spans.end(), [](const auto& a, const auto& b) {
      return a.first.last - a.first.first > b.first.last - b.first.first;
    });
    core::StepUnion all;
    std::vector<std::int64_t> steps;
    auto& walk = conn.cached("SELECT step FROM metrics WHERE run_uuid = ? AND key = ? AND step >= ? AND step <= ? ORDER BY step");
    for (const auto& [span, id] : spans) {
      out.spans.push_back(span);
      auto from = std::max(span.first, lo), to = std::min(span.last, hi);
      if (from > to || all.covers(from, to)) continue;
      steps.clear();
      walk.bind(1, *id).bind(2, key).bind(3, from).bind(4, to);
      while (walk.step()) {
        auto step = walk.int64(0);  // ascending; one step logged at several timestamps comes once
        if (steps.empty() || steps.back() != step) steps.push_back(step);
      }
      walk.reset();
      all.add(steps);
    }
    out.steps = all.steps();
  });
  return out;
}

std::vector<core::Metric> SqlTrackingStore::metric_rows_at_steps(const std::vector<std::string>& run_ids,
                                                                    const std::string& key,
                                                                    const std::vector<std::int64_t>& steps,
                                                                    std::int64_t per_run_limit) {
  std::vector<core::Metric> out;
  if (steps.empty()) return out;
  // Only the sampled steps are read (an index range per step on (run_uuid, key, step)), not every
  // row between the first and the last: `step IN (...)` in fixed-size chunks (the last chunk padded
  // with its final step) so one prepared statement serves every request. Chunks ascend, so rows
  // come out ordered by step, timestamp, value as MLflow orders them.
  constexpr std::size_t kChunk = 64;
  std::vector<std::int64_t> wanted(steps.begin(), steps.end());
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  const std::string sql = "SELECT value, timestamp, step, is_nan FROM metrics WHERE run_uuid = ? AND key = ? AND step IN (" +
                          in_placeholders(kChunk) + ") ORDER BY step, timestamp, value";
  read([&](db::Connection& conn) {
    auto& st = conn.cached(sql);
    for (const auto& run_id : run_ids) {
      std::int64_t count = 0;
      for (std::size_t start = 0; start < wanted.size() && count < per_run_limit; start += kChunk) {
        st.bind(1, run_id).bind(2, key);
        for (std::size_t i = 0; i < kChunk; ++i)
          st.bind(static_cast<int>(3 + i), wanted[std::min(start + i, wanted.size() - 1)]);
        while (count < per_run_limit && st.step()) {
          core::Metric m;
          m.key = key;
          m.value = loaded_metric(st.real(0), st.int64(3));
          m.timestamp = st.int64(1);
          m.step = st.int64(2);
          m.run_id = run_id;
          out.push_back(std::move(m));
          ++count;
        }
        st.reset();
      }
    }
  });
  return out;
}

}  // namespace sextant::store::sql
