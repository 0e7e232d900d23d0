#include "store/sql/sql_logged_model_store.hpp"

#include <algorithm>
#include <limits>
#include <set>
#include <unordered_map>

#include "core/artifact_uri.hpp"
#include "core/error.hpp"
#include "store/sql/experiment_rows.hpp"
#include "store/sql/logged_model_search_sql.hpp"
#include "store/sql/sql_helpers.hpp"
#include "util/random_id.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace sextant::store::sql {

using core::ErrorCode;
using core::MlflowError;

namespace {

constexpr std::size_t kInChunk = 500;  // ids per IN (...) list

const char* const kModelById =
    "SELECT model_id, experiment_id, name, artifact_location, creation_timestamp_ms, last_updated_timestamp_ms, "
    "status, lifecycle_stage, model_type, source_run_id, status_message FROM logged_models WHERE model_id = ?";

[[noreturn]] void model_not_found(const std::string& id) {
  core::throw_not_found("Logged model with ID '" + id + "' not found.");
}

core::LoggedModel read_model_row(db::Statement& st) {
  core::LoggedModel m;
  m.model_id = st.text(0);
  m.experiment_id = std::to_string(st.int64(1));
  m.name = st.text(2);
  m.artifact_location = st.text(3);
  m.creation_timestamp_ms = st.int64(4);
  m.last_updated_timestamp_ms = st.int64(5);
  m.status = core::logged_model_status_from_int(st.int64(6));
  m.lifecycle_stage = st.opt_text(7).value_or("active");
  m.model_type = st.opt_text(8);
  m.source_run_id = st.opt_text(9);
  m.status_message = st.opt_text(10);
  return m;
}

// The row of any lifecycle stage, without tags/params/metrics.
std::optional<core::LoggedModel> model_row(db::Connection& conn, const std::string& model_id) {
  auto& st = conn.cached(kModelById);
  st.bind(1, model_id);
  std::optional<core::LoggedModel> m;
  if (st.step()) m = read_model_row(st);
  st.reset();
  return m;
}

core::LoggedModel existing_model(db::Connection& conn, const std::string& model_id) {
  auto m = model_row(conn, model_id);
  if (!m) model_not_found(model_id);
  return *m;
}

// Fills tags, params and metrics, a chunk of models at a time.
void load_details(db::Connection& conn, std::vector<core::LoggedModel>& models) {
  std::unordered_map<std::string, core::LoggedModel*> by_id;
  for (auto& m : models) by_id[m.model_id] = &m;
  for (std::size_t start = 0; start < models.size(); start += kInChunk) {
    std::size_t n = std::min(kInChunk, models.size() - start);
    auto ids = in_placeholders(n);
    auto bind_ids = [&](db::Statement& st) {
      for (std::size_t i = 0; i < n; ++i) st.bind(static_cast<int>(i + 1), models[start + i].model_id);
    };
    {
      auto st = conn.prepare("SELECT model_id, tag_key, tag_value FROM logged_model_tags WHERE model_id IN (" + ids +
                             ") ORDER BY tag_key");
      bind_ids(st);
      while (st.step()) by_id[st.text(0)]->tags.push_back({st.text(1), st.text(2)});
    }
    {
      auto st = conn.prepare("SELECT model_id, param_key, param_value FROM logged_model_params WHERE model_id IN (" +
                             ids + ") ORDER BY param_key");
      bind_ids(st);
      while (st.step()) by_id[st.text(0)]->params.push_back({st.text(1), st.text(2)});
    }
    {
      auto st = conn.prepare(
          "SELECT model_id, metric_name, metric_value, metric_timestamp_ms, metric_step, run_id, dataset_name, "
          "dataset_digest FROM logged_model_metrics WHERE model_id IN (" + ids +
          ") ORDER BY metric_name, metric_timestamp_ms, metric_step, run_id");
      bind_ids(st);
      while (st.step()) {
        core::Metric metric;
        metric.key = st.text(1);
        // The tracking store writes NaN as NULL (MLflow writes 0); both read back as stored.
        metric.value = st.is_null(2) ? std::numeric_limits<double>::quiet_NaN() : st.real(2);
        metric.timestamp = st.int64(3);
        metric.step = st.int64(4);
        metric.run_id = st.text(5);
        metric.dataset_name = st.opt_text(6);
        metric.dataset_digest = st.opt_text(7);
        metric.model_id = st.text(0);
        by_id[st.text(0)]->metrics.push_back(std::move(metric));
      }
    }
  }
}

core::LoggedModel load_model(db::Connection& conn, const std::string& model_id) {
  std::vector<core::LoggedModel> one{existing_model(conn, model_id)};
  load_details(conn, one);
  return std::move(one.front());
}

void upsert_tag(db::Connection& conn, const core::LoggedModel& model, const core::Tag& tag) {
  auto& st = conn.cached(conn.dialect().upsert(
      "logged_model_tags (model_id, experiment_id, tag_key, tag_value) VALUES (?, ?, ?, ?)",
      "model_id, tag_key",
      "tag_value = EXCLUDED(tag_value)"));
  st.bind(1, model.model_id).bind(2, std::stoll(model.experiment_id)).bind(3, tag.key).bind(4, tag.value).run();
}

// Params are immutable: a key the model already has, or one repeated in the request, is refused.
void insert_params(db::Connection& conn, const core::LoggedModel& model, const std::vector<core::Param>& params) {
  std::set<std::string> seen;
  for (const auto& p : params) {
    if (!seen.insert(p.key).second) {
      throw MlflowError(ErrorCode::BAD_REQUEST,
                        "Duplicate param key " + util::python_repr(p.key) + " in the request for model with ID " +
                            util::python_repr(model.model_id) + ".");
    }
    auto& exists = conn.cached("SELECT 1 FROM logged_model_params WHERE model_id = ? AND param_key = ?");
    exists.bind(1, model.model_id).bind(2, p.key);
    bool found = exists.step();
    exists.reset();
    if (found) {
      throw MlflowError(ErrorCode::BAD_REQUEST, "Param with key " + util::python_repr(p.key) +
                                                    " was already logged for model with ID " +
                                                    util::python_repr(model.model_id) + ".");
    }
    auto& st = conn.cached(
        "INSERT INTO logged_model_params (model_id, experiment_id, param_key, param_value) VALUES (?, ?, ?, ?)");
    st.bind(1, model.model_id).bind(2, std::stoll(model.experiment_id)).bind(3, p.key).bind(4, p.value).run();
  }
}

}  // namespace

core::LoggedModel SqlLoggedModelStore::create_logged_model(const NewLoggedModel& request) {
  core::LoggedModel result;
  db_.write([&](db::Connection& conn) {
    auto experiment = active_experiment(conn, request.experiment_id);
    core::LoggedModel m;
    m.model_id = "m-" + util::uuid4_hex();
    m.experiment_id = experiment.experiment_id;
    m.name = request.name;
    m.artifact_location = core::artifact_uri_join(experiment.artifact_location, "models/" + m.model_id + "/artifacts");
    m.creation_timestamp_ms = m.last_updated_timestamp_ms = util::now_ms();
    m.status = core::LoggedModelStatus::Pending;
    m.lifecycle_stage = "active";
    auto& st = conn.cached(
        "INSERT INTO logged_models (model_id, experiment_id, name, artifact_location, creation_timestamp_ms, "
        "last_updated_timestamp_ms, status, lifecycle_stage, model_type, source_run_id, status_message) VALUES (?, ?, "
        "?, ?, ?, ?, ?, 'active', ?, ?, NULL)");
    st.bind(1, m.model_id)
        .bind(2, std::stoll(m.experiment_id))
        .bind(3, m.name)
        .bind(4, m.artifact_location)
        .bind(5, m.creation_timestamp_ms)
        .bind(6, m.last_updated_timestamp_ms)
        .bind(7, static_cast<int>(m.status))
        .bind(8, request.model_type)
        .bind(9, request.source_run_id)
        .run();
    insert_params(conn, m, request.params);
    for (const auto& tag : request.tags) upsert_tag(conn, m, tag);
    result = load_model(conn, m.model_id);
  });
  return result;
}

core::LoggedModel SqlLoggedModelStore::get_logged_model(const std::string& model_id) {
  core::LoggedModel result;
  db_.read([&](db::Connection& conn) {
    auto m = model_row(conn, model_id);
    if (!m || m->lifecycle_stage == "deleted") model_not_found(model_id);
    result = load_model(conn, model_id);
  });
  return result;
}

core::LoggedModel SqlLoggedModelStore::finalize_logged_model(const std::string& model_id,
                                                                core::LoggedModelStatus status) {
  core::LoggedModel result;
  db_.write([&](db::Connection& conn) {
    existing_model(conn, model_id);
    auto& st = conn.cached("UPDATE logged_models SET status = ?, last_updated_timestamp_ms = ? WHERE model_id = ?");
    st.bind(1, static_cast<int>(status)).bind(2, util::now_ms()).bind(3, model_id).run();
    result = load_model(conn, model_id);
  });
  return result;
}

void SqlLoggedModelStore::delete_logged_model(const std::string& model_id) {
  db_.write([&](db::Connection& conn) {
    existing_model(conn, model_id);
    auto& st = conn.cached(
        "UPDATE logged_models SET lifecycle_stage = 'deleted', last_updated_timestamp_ms = ? WHERE model_id = ?");
    st.bind(1, util::now_ms()).bind(2, model_id).run();
  });
}

void SqlLoggedModelStore::set_logged_model_tags(const std::string& model_id, const std::vector<core::Tag>& tags) {
  db_.write([&](db::Connection& conn) {
    auto m = existing_model(conn, model_id);
    for (const auto& tag : tags) upsert_tag(conn, m, tag);
  });
}

void SqlLoggedModelStore::delete_logged_model_tag(const std::string& model_id, const std::string& key) {
  db_.write([&](db::Connection& conn) {
    existing_model(conn, model_id);
    auto& st = conn.cached("DELETE FROM logged_model_tags WHERE model_id = ? AND tag_key = ?");
    st.bind(1, model_id).bind(2, key).run();
    if (conn.changes() == 0) {
      core::throw_not_found("No tag with key " + util::python_repr(key) + " found for model with ID " +
                            util::python_repr(model_id) + ".");
    }
  });
}

void SqlLoggedModelStore::log_logged_model_params(const std::string& model_id,
                                                     const std::vector<core::Param>& params) {
  db_.write([&](db::Connection& conn) {
    auto m = existing_model(conn, model_id);
    insert_params(conn, m, params);
  });
}

std::vector<core::LoggedModel> SqlLoggedModelStore::search_logged_models(const LoggedModelQuery& query) {
  std::vector<core::LoggedModel> out;
  auto sql = compile_logged_model_search(query, db_.dialect());
  db_.read([&](db::Connection& conn) {
    std::vector<std::string> ids;
    {
      auto st = conn.prepare(sql.text);
      bind_all(st, sql.binds);
      while (st.step()) ids.push_back(st.text(0));
    }
    out.reserve(ids.size());
    for (const auto& id : ids) {
      if (auto m = model_row(conn, id)) out.push_back(std::move(*m));
    }
    load_details(conn, out);
  });
  return out;
}

}  // namespace sextant::store::sql
