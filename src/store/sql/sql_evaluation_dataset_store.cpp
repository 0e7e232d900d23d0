#include "store/sql/sql_evaluation_dataset_store.hpp"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "core/error.hpp"
#include "store/sql/experiment_rows.hpp"
#include "store/sql/sql_helpers.hpp"
#include "util/random_id.hpp"
#include "util/time.hpp"

namespace sextant::store::sql {

namespace {

constexpr std::size_t kInChunk = 500;  // values per IN (...) list

// "schema" is reserved on MySQL; the connections run with ANSI_QUOTES there.
constexpr const char* kDatasetColumns =
    "dataset_id, name, \"schema\", profile, digest, created_time, last_update_time, created_by, last_updated_by";
constexpr const char* kRecordColumns =
    "dataset_record_id, dataset_id, inputs, outputs, expectations, tags, source, source_id, source_type, "
    "created_time, last_update_time, created_by, last_updated_by, input_hash";
// A dataset -> experiment link row.
constexpr const char* kLinkedTo =
    "source_type = 'evaluation_dataset' AND source_id = ? AND destination_type = 'experiment'";

[[noreturn]] void records_dataset_not_found(const std::string& id) {
  core::throw_not_found("Could not find evaluation dataset with ID " + id);
}

core::EvaluationDataset read_dataset_row(db::Statement& st) {
  core::EvaluationDataset d;
  d.dataset_id = st.text(0);
  d.name = st.text(1);
  d.schema = st.opt_text(2);
  d.profile = st.opt_text(3);
  d.digest = st.opt_text(4).value_or("");
  d.created_time = st.opt_int64(5).value_or(0);
  d.last_update_time = st.opt_int64(6).value_or(0);
  d.created_by = st.opt_text(7);
  d.last_updated_by = st.opt_text(8);
  return d;
}

core::DatasetRecord read_record_row(db::Statement& st) {
  core::DatasetRecord r;
  r.dataset_record_id = st.text(0);
  r.dataset_id = st.text(1);
  r.inputs = st.opt_text(2).value_or("{}");
  r.outputs = st.opt_text(3);
  r.expectations = st.opt_text(4);
  r.tags = st.opt_text(5);
  r.source = st.opt_text(6);
  r.source_id = st.opt_text(7);
  r.source_type = st.opt_text(8);
  r.created_time = st.opt_int64(9).value_or(0);
  r.last_update_time = st.opt_int64(10).value_or(0);
  r.created_by = st.opt_text(11);
  r.last_updated_by = st.opt_text(12);
  r.input_hash = st.text(13);
  return r;
}

// Fills the tags of `datasets`, a chunk at a time.
void load_tags(db::Connection& conn, std::vector<core::EvaluationDataset>& datasets) {
  std::unordered_map<std::string, core::EvaluationDataset*> by_id;
  for (auto& d : datasets) by_id[d.dataset_id] = &d;
  for (std::size_t start = 0; start < datasets.size(); start += kInChunk) {
    std::size_t n = std::min(kInChunk, datasets.size() - start);
    auto st = conn.prepare("SELECT dataset_id, key, value FROM evaluation_dataset_tags WHERE dataset_id IN (" +
                           in_placeholders(n) + ") ORDER BY key");
    for (std::size_t i = 0; i < n; ++i) st.bind(static_cast<int>(i + 1), datasets[start + i].dataset_id);
    while (st.step()) by_id[st.text(0)]->tags.push_back({st.text(1), st.opt_text(2).value_or("")});
  }
}

void upsert_tag(db::Connection& conn, const std::string& dataset_id, const core::Tag& tag) {
  auto& st = conn.cached(conn.dialect().upsert("evaluation_dataset_tags (dataset_id, key, value) VALUES (?, ?, ?)",
                                               "dataset_id, key", "value = EXCLUDED(value)"));
  st.bind(1, dataset_id).bind(2, tag.key).bind(3, tag.value).run();
}

void insert_link(db::Connection& conn, const std::string& association_id, const std::string& dataset_id,
                 const std::string& experiment_id, std::int64_t now) {
  auto& st = conn.cached(
      "INSERT INTO entity_associations (association_id, source_type, source_id, destination_type, destination_id, "
      "created_time) VALUES (?, 'evaluation_dataset', ?, 'experiment', ?, ?)");
  st.bind(1, association_id).bind(2, dataset_id).bind(3, experiment_id).bind(4, now).run();
}

std::vector<std::string> linked_experiments(db::Connection& conn, const std::string& dataset_id) {
  auto& st = conn.cached(std::string("SELECT destination_id FROM entity_associations WHERE ") + kLinkedTo +
                         " ORDER BY created_time, destination_id");
  st.bind(1, dataset_id);
  std::vector<std::string> ids;
  while (st.step()) ids.push_back(st.text(0));
  st.reset();
  return ids;
}

void touch_dataset(db::Connection& conn, const std::string& dataset_id, std::int64_t now) {
  auto& st = conn.cached("UPDATE evaluation_datasets SET last_update_time = ? WHERE dataset_id = ?");
  st.bind(1, now).bind(2, dataset_id).run();
}

std::vector<std::string> distinct_in_order(const std::vector<std::string>& ids) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& id : ids) {
    if (seen.insert(id).second) out.push_back(id);
  }
  return out;
}

// The stored records of `dataset_id` whose input hash is among `hashes`, by hash.
std::unordered_map<std::string, core::DatasetRecord> records_by_hash(db::Connection& conn, const std::string& dataset_id,
                                                                      const std::vector<std::string>& hashes) {
  std::unordered_map<std::string, core::DatasetRecord> out;
  for (std::size_t start = 0; start < hashes.size(); start += kInChunk) {
    std::size_t n = std::min(kInChunk, hashes.size() - start);
    auto st = conn.prepare(std::string("SELECT ") + kRecordColumns +
                           " FROM evaluation_dataset_records WHERE dataset_id = ? AND input_hash IN (" +
                           in_placeholders(n) + ")");
    st.bind(1, dataset_id);
    for (std::size_t i = 0; i < n; ++i) st.bind(static_cast<int>(i + 2), hashes[start + i]);
    while (st.step()) {
      auto row = read_record_row(st);
      out.emplace(row.input_hash, std::move(row));
    }
  }
  return out;
}

void insert_record(db::Connection& conn, const core::DatasetRecord& r) {
  auto& st = conn.cached(std::string("INSERT INTO evaluation_dataset_records (") + kRecordColumns +
                         ") VALUES (" + in_placeholders(14) + ")");
  st.bind(1, r.dataset_record_id)
      .bind(2, r.dataset_id)
      .bind(3, r.inputs)
      .bind(4, r.outputs)
      .bind(5, r.expectations)
      .bind(6, r.tags)
      .bind(7, r.source)
      .bind(8, r.source_id)
      .bind(9, r.source_type)
      .bind(10, r.created_time)
      .bind(11, r.last_update_time)
      .bind(12, r.created_by)
      .bind(13, r.last_updated_by)
      .bind(14, r.input_hash)
      .run();
}

void update_record(db::Connection& conn, const core::DatasetRecord& r) {
  auto& st = conn.cached(
      "UPDATE evaluation_dataset_records SET outputs = ?, expectations = ?, tags = ?, last_update_time = ?, "
      "last_updated_by = ? WHERE dataset_record_id = ?");
  st.bind(1, r.outputs)
      .bind(2, r.expectations)
      .bind(3, r.tags)
      .bind(4, r.last_update_time)
      .bind(5, r.last_updated_by)
      .bind(6, r.dataset_record_id)
      .run();
}

const char* order_column(const std::string& key) {
  if (key == "name") return "d.name";
  if (key == "last_update_time") return "d.last_update_time";
  return "d.created_time";
}

void compile_comparison(SqlBuilder& b, const std::string& column, const search::Clause& c) {
  using search::Comparator;
  switch (c.op) {
    case Comparator::Like: b.like(column, c.value.text, false); return;
    case Comparator::ILike: b.like(column, c.value.text, true); return;
    default: break;
  }
  const char* op = "=";
  switch (c.op) {
    case Comparator::NotEq: op = "<>"; break;
    case Comparator::Gt: op = ">"; break;
    case Comparator::Ge: op = ">="; break;
    case Comparator::Lt: op = "<"; break;
    case Comparator::Le: op = "<="; break;
    default: break;
  }
  b.add(column + " " + op + " ");
  if (c.value.kind == search::Value::Kind::Number) {
    b.value(static_cast<std::int64_t>(c.value.number));
  } else {
    b.value(c.value.text);
  }
}

SqlBuilder compile_search(const EvaluationDatasetQuery& q, const db::Dialect& d, const WorkspaceSql& ws) {
  SqlBuilder b(d);
  b.add("SELECT d.dataset_id FROM evaluation_datasets d WHERE 1 = 1" + ws.and_in("d"));
  if (q.experiment_ids) {
    b.add(" AND d.dataset_id IN (SELECT a.source_id FROM entity_associations a WHERE a.source_type = "
          "'evaluation_dataset' AND a.destination_type = 'experiment' AND ");
    if (q.experiment_ids->empty()) {
      b.empty_list(true);
    } else {
      b.add("a.destination_id IN (");
      for (std::size_t i = 0; i < q.experiment_ids->size(); ++i) {
        if (i) b.add(", ");
        b.value((*q.experiment_ids)[i]);
      }
      b.add(")");
    }
    b.add(")");
  }
  for (const auto& c : q.filter) {
    b.add(" AND ");
    if (c.entity == search::EntityKind::Tag) {
      b.add("EXISTS (SELECT 1 FROM evaluation_dataset_tags t WHERE t.dataset_id = d.dataset_id AND t.key = ");
      b.value(c.key);
      b.add(" AND ");
      compile_comparison(b, "t.value", c);
      b.add(")");
    } else {
      compile_comparison(b, "d." + c.key, c);
    }
  }
  b.add(" ORDER BY ");
  if (q.order_by.empty()) b.add("d.created_time DESC, ");
  for (const auto& o : q.order_by) b.add(std::string(order_column(o.key)) + (o.ascending ? " ASC, " : " DESC, "));
  b.add("d.dataset_id DESC LIMIT ");
  b.value(q.max_results + 1);
  b.add(" OFFSET ");
  b.value(q.offset);
  return b;
}

}  // namespace

SqlEvaluationDatasetStore::SqlEvaluationDatasetStore(Database& database)
    : db_(database), ws_(database.schema().workspaces) {
  by_id_sql_ = std::string("SELECT ") + kDatasetColumns + " FROM evaluation_datasets WHERE " + ws_.where +
               "dataset_id = ?";
  insert_sql_ = "INSERT INTO evaluation_datasets (" + ws_.column + kDatasetColumns + ") VALUES (" + ws_.value +
                "?, ?, NULL, NULL, ?, ?, ?, ?, ?)";
}

std::optional<core::EvaluationDataset> SqlEvaluationDatasetStore::dataset_row(db::Connection& conn,
                                                                              const std::string& dataset_id) const {
  auto& st = conn.cached(by_id_sql_);
  st.bind(1, dataset_id);
  std::optional<core::EvaluationDataset> d;
  if (st.step()) d = read_dataset_row(st);
  st.reset();
  return d;
}

core::EvaluationDataset SqlEvaluationDatasetStore::loaded_dataset(db::Connection& conn, const std::string& dataset_id,
                                                                  const std::string& not_found_message) const {
  auto d = dataset_row(conn, dataset_id);
  if (!d) core::throw_not_found(not_found_message);
  std::vector<core::EvaluationDataset> one{std::move(*d)};
  load_tags(conn, one);
  return std::move(one.front());
}

core::EvaluationDataset SqlEvaluationDatasetStore::create_dataset(const NewEvaluationDataset& request) {
  const std::string dataset_id = "d-" + util::uuid4_hex();
  const auto experiment_ids = distinct_in_order(request.experiment_ids);
  std::optional<std::string> user;
  for (const auto& t : request.tags) {
    if (t.key == core::kMlflowUserTag) user = t.value;
  }
  core::EvaluationDataset result;
  db_.write(
      [&](db::Connection& conn) {
        const std::int64_t now = util::now_ms();
        auto& st = conn.cached(insert_sql_);
        st.bind(1, dataset_id)
            .bind(2, request.name)
            .bind(3, core::dataset_digest(request.name, now))
            .bind(4, now)
            .bind(5, now)
            .bind(6, user)
            .bind(7, user)
            .run();
        for (const auto& tag : request.tags) upsert_tag(conn, dataset_id, tag);
        for (const auto& e : experiment_ids) insert_link(conn, "a-" + util::uuid4_hex(), dataset_id, e, now);
        result = loaded_dataset(conn, dataset_id, "Evaluation dataset with id '" + dataset_id + "' not found");
        result.experiment_ids = experiment_ids;
      },
      dataset_id);
  return result;
}

core::EvaluationDataset SqlEvaluationDatasetStore::get_dataset(const std::string& dataset_id) {
  core::EvaluationDataset result;
  db_.read([&](db::Connection& conn) {
    result = loaded_dataset(conn, dataset_id, "Evaluation dataset with id '" + dataset_id + "' not found");
  });
  return result;
}

void SqlEvaluationDatasetStore::delete_dataset(const std::string& dataset_id) {
  db_.write(
      [&](db::Connection& conn) {
        if (!dataset_row(conn, dataset_id)) return;  // MLflow: a warning, 200
        conn.cached(
                "DELETE FROM entity_associations WHERE (destination_type = 'evaluation_dataset' AND destination_id = ?) "
                "OR (source_type = 'evaluation_dataset' AND source_id = ?)")
            .bind(1, dataset_id)
            .bind(2, dataset_id)
            .run();
        for (const char* table : {"evaluation_dataset_tags", "evaluation_dataset_records", "evaluation_datasets"}) {
          conn.cached(std::string("DELETE FROM ") + table + " WHERE dataset_id = ?").bind(1, dataset_id).run();
        }
      },
      dataset_id);
}

std::vector<core::EvaluationDataset> SqlEvaluationDatasetStore::search_datasets(const EvaluationDatasetQuery& query) {
  auto sql = compile_search(query, db_.dialect(), ws_);
  std::vector<core::EvaluationDataset> out;
  db_.read([&](db::Connection& conn) {
    out.clear();
    std::vector<std::string> ids;
    {
      auto st = conn.prepare(sql.text);
      bind_all(st, sql.binds);
      while (st.step()) ids.push_back(st.text(0));
    }
    for (const auto& id : ids) {
      if (auto d = dataset_row(conn, id)) out.push_back(std::move(*d));
    }
    load_tags(conn, out);
  });
  return out;
}

void SqlEvaluationDatasetStore::set_dataset_tags(const std::string& dataset_id, const std::vector<core::Tag>& tags) {
  db_.write(
      [&](db::Connection& conn) {
        if (!dataset_row(conn, dataset_id)) records_dataset_not_found(dataset_id);
        for (const auto& tag : tags) upsert_tag(conn, dataset_id, tag);
      },
      dataset_id);
}

void SqlEvaluationDatasetStore::delete_dataset_tag(const std::string& dataset_id, const std::string& key) {
  db_.write(
      [&](db::Connection& conn) {
        if (!dataset_row(conn, dataset_id)) return;
        conn.cached("DELETE FROM evaluation_dataset_tags WHERE dataset_id = ? AND key = ?")
            .bind(1, dataset_id)
            .bind(2, key)
            .run();
      },
      dataset_id);
}

UpsertCounts SqlEvaluationDatasetStore::upsert_dataset_records(const std::string& dataset_id,
                                                               const std::vector<core::RecordUpsert>& records) {
  std::vector<std::string> hashes;
  hashes.reserve(records.size());
  for (const auto& r : records) hashes.push_back(core::record_input_hash(r.inputs));
  const auto distinct_hashes = distinct_in_order(hashes);
  UpsertCounts result;
  db_.write(
      [&](db::Connection& conn) {
        auto dataset = dataset_row(conn, dataset_id);
        if (!dataset) records_dataset_not_found(dataset_id);
        const std::int64_t now = util::now_ms();
        // Request order: a later record with the same inputs merges into the earlier one.
        auto rows = records_by_hash(conn, dataset_id, distinct_hashes);
        std::set<std::string> stored;
        for (const auto& [hash, _] : rows) stored.insert(hash);
        UpsertCounts counts;
        std::optional<std::string> updated_by;
        for (std::size_t i = 0; i < records.size(); ++i) {
          if (auto user = core::record_user(records[i])) updated_by = user;
          auto it = rows.find(hashes[i]);
          if (it != rows.end()) {
            core::merge_dataset_record(it->second, records[i], now);
            ++counts.updated;
          } else {
            rows.emplace(hashes[i], core::new_dataset_record(dataset_id, records[i], now));
            ++counts.inserted;
          }
        }
        for (const auto& hash : distinct_hashes) {
          const auto& row = rows.at(hash);
          if (stored.count(hash)) {
            update_record(conn, row);
          } else {
            insert_record(conn, row);
          }
        }
        auto schema = core::updated_dataset_schema(dataset->schema, records);
        auto& count = conn.cached("SELECT COUNT(*) FROM evaluation_dataset_records WHERE dataset_id = ?");
        count.bind(1, dataset_id);
        std::int64_t total = count.step() ? count.int64(0) : 0;
        count.reset();
        std::optional<std::string> profile =
            total > 0 ? std::optional("{\"num_records\": " + std::to_string(total) + "}") : std::nullopt;
        auto& st = conn.cached(
            "UPDATE evaluation_datasets SET last_update_time = ?, last_updated_by = ?, digest = ?, "
            "\"schema\" = COALESCE(?, \"schema\"), profile = COALESCE(?, profile) WHERE dataset_id = ?");
        st.bind(1, now)
            .bind(2, updated_by)
            .bind(3, core::dataset_digest(dataset->name, now))
            .bind(4, schema)
            .bind(5, profile)
            .bind(6, dataset_id)
            .run();
        result = counts;
      },
      dataset_id);
  return result;
}

std::vector<core::DatasetRecord> SqlEvaluationDatasetStore::get_dataset_records(const std::string& dataset_id,
                                                                                const RecordPageQuery& page) {
  std::vector<core::DatasetRecord> out;
  db_.read([&](db::Connection& conn) {
    out.clear();
    if (!dataset_row(conn, dataset_id)) records_dataset_not_found(dataset_id);
    std::string sql = std::string("SELECT ") + kRecordColumns + " FROM evaluation_dataset_records WHERE dataset_id = ?";
    if (page.after) sql += " AND (created_time > ? OR (created_time = ? AND dataset_record_id > ?))";
    sql += " ORDER BY created_time, dataset_record_id LIMIT ? OFFSET ?";
    auto& st = conn.cached(sql);
    st.bind(1, dataset_id);
    int next = 2;
    if (page.after) {
      st.bind(2, page.after->first).bind(3, page.after->first).bind(4, page.after->second);
      next = 5;
    }
    st.bind(next, page.max_results + 1).bind(next + 1, page.offset);
    while (st.step()) out.push_back(read_record_row(st));
    st.reset();
  });
  return out;
}

std::vector<std::string> SqlEvaluationDatasetStore::get_dataset_experiment_ids(const std::string& dataset_id) {
  std::vector<std::string> out;
  db_.read([&](db::Connection& conn) { out = linked_experiments(conn, dataset_id); });
  return out;
}

core::EvaluationDataset SqlEvaluationDatasetStore::add_dataset_to_experiments(
    const std::string& dataset_id, const std::vector<std::string>& experiment_ids) {
  const auto wanted = distinct_in_order(experiment_ids);
  const std::string not_found = "Dataset '" + dataset_id + "' not found";
  core::EvaluationDataset result;
  db_.write(
      [&](db::Connection& conn) {
        if (!dataset_row(conn, dataset_id)) core::throw_not_found(not_found);
        for (const auto& e : wanted) {
          auto id = parse_experiment_id(e);
          if (!id || !experiment_by_id(conn, *id, /*with_tags=*/false)) {
            core::throw_not_found("No Experiment with id=" + e);
          }
        }
        const auto linked = linked_experiments(conn, dataset_id);
        const std::int64_t now = util::now_ms();
        for (const auto& e : wanted) {
          if (std::find(linked.begin(), linked.end(), e) == linked.end()) {
            insert_link(conn, util::uuid4_hex(), dataset_id, e, now);
          }
        }
        touch_dataset(conn, dataset_id, now);
        result = loaded_dataset(conn, dataset_id, not_found);
      },
      dataset_id);
  return result;
}

core::EvaluationDataset SqlEvaluationDatasetStore::remove_dataset_from_experiments(
    const std::string& dataset_id, const std::vector<std::string>& experiment_ids) {
  const auto unwanted = distinct_in_order(experiment_ids);
  const std::string not_found = "Dataset '" + dataset_id + "' not found";
  core::EvaluationDataset result;
  db_.write(
      [&](db::Connection& conn) {
        if (!dataset_row(conn, dataset_id)) core::throw_not_found(not_found);
        const auto linked = linked_experiments(conn, dataset_id);
        bool removed = false;
        for (const auto& e : unwanted) {
          if (std::find(linked.begin(), linked.end(), e) == linked.end()) continue;
          conn.cached(std::string("DELETE FROM entity_associations WHERE ") + kLinkedTo + " AND destination_id = ?")
              .bind(1, dataset_id)
              .bind(2, e)
              .run();
          removed = true;
        }
        if (removed) touch_dataset(conn, dataset_id, util::now_ms());
        result = loaded_dataset(conn, dataset_id, not_found);
      },
      dataset_id);
  return result;
}

}  // namespace sextant::store::sql
