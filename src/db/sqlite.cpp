#include "db/sqlite.hpp"

#include <sqlite3.h>

namespace sextant::db {

namespace {

ErrorKind classify(int extended) {
  switch (extended & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return ErrorKind::Retryable;
    case SQLITE_CONSTRAINT: return ErrorKind::Constraint;
    default: return ErrorKind::Other;
  }
}

[[noreturn]] void fail(sqlite3* db, int rc, std::string_view context) {
  int code = db ? sqlite3_extended_errcode(db) : rc;
  std::string msg = std::string(context) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  throw DbError(msg, classify(code), code);
}

class SqliteStatement final : public StatementImpl {
 public:
  SqliteStatement(sqlite3* db, std::string_view sql) : db_(db) {
    int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
    if (rc != SQLITE_OK) fail(db, rc, "prepare");
  }
  ~SqliteStatement() override { sqlite3_finalize(stmt_); }

  void bind_text(int index, std::string_view value) override {
    check(sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT));
  }
  void bind_int64(int index, std::int64_t value) override { check(sqlite3_bind_int64(stmt_, index, value)); }
  void bind_double(int index, double value) override { check(sqlite3_bind_double(stmt_, index, value)); }
  void bind_null(int index) override { check(sqlite3_bind_null(stmt_, index)); }

  bool step() override {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    int ext = sqlite3_extended_errcode(db_);
    std::string msg = sqlite3_errmsg(db_);
    sqlite3_reset(stmt_);
    throw DbError("step: " + msg, classify(ext), ext);
  }
  void reset() override {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  bool is_null(int col) const override { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string text(int col) const override {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    if (!p) return {};
    return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
  }
  std::int64_t int64(int col) const override { return sqlite3_column_int64(stmt_, col); }
  double real(int col) const override { return sqlite3_column_double(stmt_, col); }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) fail(db_, rc, "bind");
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace

SqliteConnection::SqliteConnection(const std::string& path) {
  int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw DbError("cannot open database '" + path + "': " + msg, ErrorKind::Other, rc);
  }
  sqlite3_busy_timeout(db_, 20000);
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA synchronous=NORMAL");
  exec("PRAGMA foreign_keys=ON");
  exec("PRAGMA case_sensitive_like=ON");
  exec("PRAGMA cache_size=-32768");  // up to 32 MiB of pages per connection, filled lazily
  // Checkpoint the WAL every 10,000 pages (40 MiB) instead of SQLite's 1,000: a page written by many
  // commits between checkpoints is copied back once, which matters for MLflow's random-id indexes
  // (OTLP ingest, 8 clients: 15,400-16,200 -> 19,600-19,700 spans/s on this machine). Durability
  // is unchanged (synchronous=NORMAL in WAL mode either way); the WAL file may grow to ~40 MiB.
  exec("PRAGMA wal_autocheckpoint=10000");
}

SqliteConnection::~SqliteConnection() {
  clear_cache();  // finalizes cached statements before closing
  sqlite3_close(db_);
}

void SqliteConnection::exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    sqlite3_free(err);
    fail(db_, rc, "exec");
  }
}

void SqliteConnection::begin(TransactionMode mode) { exec(mode == TransactionMode::Write ? "BEGIN IMMEDIATE" : "BEGIN"); }

std::int64_t SqliteConnection::changes() const { return sqlite3_changes(db_); }
std::int64_t SqliteConnection::last_insert_id() const { return sqlite3_last_insert_rowid(db_); }

std::unique_ptr<StatementImpl> SqliteConnection::make_statement(std::string_view sql, bool /*cached*/) {
  return std::make_unique<SqliteStatement>(db_, sql);
}

}  // namespace sextant::db
