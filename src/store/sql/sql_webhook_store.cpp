#include "store/sql/sql_webhook_store.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "store/sql/workspace_sql.hpp"
#include "util/random_id.hpp"
#include "util/time.hpp"

namespace sextant::store::sql {

namespace {


core::Webhook read_row(db::Statement& st) {
  core::Webhook w;
  w.webhook_id = st.text(0);
  w.name = st.text(1);
  w.description = st.opt_text(2);
  w.url = st.text(3);
  w.status = st.text(4);
  w.stored_secret = st.opt_text(5);
  w.creation_timestamp = st.opt_int64(6);
  w.last_updated_timestamp = st.opt_int64(7);
  return w;
}

// Runs `st` (already bound) and reads its webhooks, then their events.
std::vector<core::Webhook> read_all(db::Connection& conn, db::Statement& st) {
  std::vector<core::Webhook> out;
  while (st.step()) out.push_back(read_row(st));
  st.reset();
  auto& ev = conn.cached("SELECT entity, action FROM webhook_events WHERE webhook_id = ? ORDER BY entity, action");
  for (auto& w : out) {
    ev.bind(1, w.webhook_id);
    while (ev.step()) w.events.push_back({ev.text(0), ev.text(1)});
    ev.reset();
  }
  return out;
}

// `by_id`: SqlWebhookStore::by_id_ (the live webhook whose id is ?1).
core::Webhook require(db::Connection& conn, const std::string& by_id, const std::string& id) {
  auto& st = conn.cached(by_id);
  st.bind(1, id);
  auto rows = read_all(conn, st);
  if (rows.empty()) core::throw_not_found("Webhook with ID " + id + " not found.");
  return rows.front();
}

void insert_events(db::Connection& conn, const std::string& id, const std::vector<core::WebhookEvent>& events) {
  auto& st = conn.cached("INSERT INTO webhook_events (webhook_id, entity, action) VALUES (?, ?, ?)");
  std::vector<core::WebhookEvent> seen;
  for (const auto& e : events) {
    if (std::find(seen.begin(), seen.end(), e) != seen.end()) continue;  // the primary key
    seen.push_back(e);
    st.bind(1, id).bind(2, e.entity).bind(3, e.action).run();
  }
}


}  // namespace

SqlWebhookStore::SqlWebhookStore(Database& database) : db_(database) {
  WorkspaceSql ws(database.schema().workspaces);
  std::string live =
      "SELECT webhook_id, name, description, url, status, secret, creation_timestamp, last_updated_timestamp "
      "FROM webhooks WHERE " + ws.where + "deleted_timestamp IS NULL";
  by_id_ = live + " AND webhook_id = ?";
  list_ = live + " ORDER BY creation_timestamp DESC, webhook_id DESC LIMIT ? OFFSET ?";
  active_ = live + " AND status = ? ORDER BY creation_timestamp DESC, webhook_id DESC";
  insert_ = "INSERT INTO webhooks (" + ws.column +
            "webhook_id, name, description, url, status, secret, creation_timestamp, last_updated_timestamp) "
            "VALUES (" + ws.value + "?, ?, ?, ?, ?, ?, ?, ?)";
}

core::Webhook SqlWebhookStore::create_webhook(const core::Webhook& webhook) {
  core::Webhook out;
  db_.write([&](db::Connection& conn) {
    out = webhook;
    out.webhook_id = util::uuid4_dashed();
    out.creation_timestamp = out.last_updated_timestamp = util::now_ms();
    auto& st = conn.cached(insert_);
    st.bind(1, out.webhook_id).bind(2, out.name).bind(3, out.description).bind(4, out.url).bind(5, out.status)
        .bind(6, out.stored_secret).bind(7, out.creation_timestamp).bind(8, out.last_updated_timestamp).run();
    insert_events(conn, out.webhook_id, out.events);
    out = require(conn, by_id_, out.webhook_id);
  });
  return out;
}

core::Webhook SqlWebhookStore::get_webhook(const std::string& webhook_id) {
  core::Webhook out;
  db_.read([&](db::Connection& conn) { out = require(conn, by_id_, webhook_id); });
  return out;
}

std::vector<core::Webhook> SqlWebhookStore::list_webhooks(std::int64_t limit, std::int64_t offset) {
  std::vector<core::Webhook> out;
  db_.read([&](db::Connection& conn) {
    auto& st = conn.cached(list_);
    st.bind(1, limit).bind(2, offset);
    out = read_all(conn, st);
  });
  return out;
}

std::vector<core::Webhook> SqlWebhookStore::active_webhooks() {
  std::vector<core::Webhook> out;
  db_.read([&](db::Connection& conn) {
    auto& st = conn.cached(active_);
    st.bind(1, core::kWebhookActive);
    out = read_all(conn, st);
  });
  return out;
}

core::Webhook SqlWebhookStore::update_webhook(const std::string& webhook_id, const WebhookChanges& changes) {
  core::Webhook out;
  db_.write([&](db::Connection& conn) {
    auto w = require(conn, by_id_, webhook_id);
    if (changes.name) w.name = *changes.name;
    if (changes.description) w.description = *changes.description;
    if (changes.url) w.url = *changes.url;
    if (changes.status) w.status = *changes.status;
    if (changes.stored_secret) w.stored_secret = *changes.stored_secret;
    w.last_updated_timestamp = std::max(util::now_ms(), w.last_updated_timestamp.value_or(0) + 1);
    auto& st = conn.cached(
        "UPDATE webhooks SET name = ?, description = ?, url = ?, status = ?, secret = ?, last_updated_timestamp = ? "
        "WHERE webhook_id = ?");
    st.bind(1, w.name).bind(2, w.description).bind(3, w.url).bind(4, w.status).bind(5, w.stored_secret)
        .bind(6, w.last_updated_timestamp).bind(7, webhook_id).run();
    if (changes.events) {
      conn.cached("DELETE FROM webhook_events WHERE webhook_id = ?").bind(1, webhook_id).run();
      insert_events(conn, webhook_id, *changes.events);
    }
    out = require(conn, by_id_, webhook_id);
  });
  return out;
}

void SqlWebhookStore::delete_webhook(const std::string& webhook_id) {
  db_.write([&](db::Connection& conn) {
    auto w = require(conn, by_id_, webhook_id);
    std::int64_t now = std::max(util::now_ms(), w.last_updated_timestamp.value_or(0) + 1);
    conn.cached("UPDATE webhooks SET deleted_timestamp = ?, last_updated_timestamp = ? WHERE webhook_id = ?")
        .bind(1, now).bind(2, now).bind(3, webhook_id).run();
  });
}

}  // namespace sextant::store::sql
