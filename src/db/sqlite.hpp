// Thin RAII wrapper over sqlite3. A Connection is used by one thread at a time (callers
// serialise access; the store hands connections out from a pool). Errors throw DbError.
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace sextant::db {

// A database failure. `busy` is true for lock timeouts (retryable, reported as 503).
class DbError : public std::runtime_error {
 public:
  DbError(const std::string& message, int code, bool busy)
      : std::runtime_error(message), code_(code), busy_(busy) {}
  int code() const noexcept { return code_; }
  bool busy() const noexcept { return busy_; }
  bool constraint() const noexcept { return (code_ & 0xFF) == 19; }  // SQLITE_CONSTRAINT

 private:
  int code_;
  bool busy_;
};

class Statement;

class Connection {
 public:
  // Opens (creating if needed) the database file and applies the per-connection pragmas:
  // WAL, busy_timeout, foreign_keys, case_sensitive_like.
  explicit Connection(const std::string& path);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void exec(std::string_view sql);
  Statement prepare(std::string_view sql);
  // Prepared once per connection and reused (statement cache keyed by SQL text).
  Statement& cached(const std::string& sql);
  std::int64_t last_insert_rowid() const;
  int changes() const;
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
  struct Cache;
  Cache* cache_ = nullptr;
};

class Statement {
 public:
  Statement(Connection& conn, std::string_view sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;

  // Binding is 1-based like sqlite3.
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  template <std::integral T>
  Statement& bind(int index, T value) {
    return bind_int64(index, static_cast<std::int64_t>(value));
  }
  Statement& bind_int64(int index, std::int64_t value);
  Statement& bind(int index, double value);
  Statement& bind_null(int index);
  Statement& bind(int index, const std::optional<std::string>& value);
  Statement& bind(int index, const std::optional<std::int64_t>& value);

  // Advances; true while a row is available.
  bool step();
  // Runs a statement that returns no rows, then resets it.
  void run();
  void reset();

  bool is_null(int col) const;
  std::string text(int col) const;
  std::optional<std::string> opt_text(int col) const;
  std::int64_t int64(int col) const;
  std::optional<std::int64_t> opt_int64(int col) const;
  double real(int col) const;

 private:
  Connection* conn_;
  sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN / COMMIT, rolled back on destruction unless committed.
class Transaction {
 public:
  explicit Transaction(Connection& conn, bool immediate = false);
  ~Transaction();
  void commit();

 private:
  Connection& conn_;
  bool done_ = false;
};

}  // namespace sextant::db
