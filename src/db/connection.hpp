// The database interface the stores use, whatever the driver (db/sqlite.hpp, db/postgres.hpp):
// a Connection (one thread at a time; callers serialise access, the store hands connections out
// from a pool), Statements with '?' placeholders, 1-based binds, step() and typed getters, and
// Transactions. Every failure throws DbError with a driver-neutral classification.
#pragma once

#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

#include "db/dialect.hpp"

namespace sextant::db {

// What a failure means to the caller.
enum class ErrorKind {
  Other,           // a bug or a schema problem: 500
  Retryable,       // lock timeout, serialization failure, deadlock: run the transaction again
  Constraint,      // unique / foreign key / check / not-null violation: the request's fault
  ConnectionLost,  // the connection is gone (server down or restarted): reconnect
  ReadOnly,        // the server no longer accepts writes (failover to a new writer): reconnect
};

class DbError : public std::runtime_error {
 public:
  DbError(const std::string& message, ErrorKind kind, int code = 0)
      : std::runtime_error(message), kind_(kind), code_(code) {}
  ErrorKind kind() const noexcept { return kind_; }
  int code() const noexcept { return code_; }  // the driver's own code (SQLite extended code), else 0
  bool busy() const noexcept { return kind_ == ErrorKind::Retryable; }
  bool constraint() const noexcept { return kind_ == ErrorKind::Constraint; }
  // The connection must not be used again (open a new one).
  bool connection_unusable() const noexcept {
    return kind_ == ErrorKind::ConnectionLost || kind_ == ErrorKind::ReadOnly;
  }

 private:
  ErrorKind kind_;
  int code_;
};

// What a driver implements for one statement. Columns are 0-based, binds 1-based.
class StatementImpl {
 public:
  virtual ~StatementImpl() = default;
  virtual void bind_text(int index, std::string_view value) = 0;
  virtual void bind_int64(int index, std::int64_t value) = 0;
  virtual void bind_double(int index, double value) = 0;
  virtual void bind_null(int index) = 0;
  virtual bool step() = 0;
  virtual void reset() = 0;  // forgets results and bindings
  virtual bool is_null(int col) const = 0;
  virtual std::string text(int col) const = 0;
  virtual std::int64_t int64(int col) const = 0;  // booleans read as 0 / 1
  virtual double real(int col) const = 0;
};

class Statement {
 public:
  explicit Statement(std::unique_ptr<StatementImpl> impl) : impl_(std::move(impl)) {}
  Statement(Statement&&) noexcept = default;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;

  Statement& bind(int index, std::string_view value) {
    impl_->bind_text(index, value);
    return *this;
  }
  Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  template <std::integral T>
  Statement& bind(int index, T value) {
    return bind_int64(index, static_cast<std::int64_t>(value));
  }
  Statement& bind_int64(int index, std::int64_t value) {
    impl_->bind_int64(index, value);
    return *this;
  }
  Statement& bind(int index, double value) {
    impl_->bind_double(index, value);
    return *this;
  }
  Statement& bind_null(int index) {
    impl_->bind_null(index);
    return *this;
  }
  Statement& bind(int index, const std::optional<std::string>& value) {
    return value ? bind(index, std::string_view(*value)) : bind_null(index);
  }
  Statement& bind(int index, const std::optional<std::int64_t>& value) {
    return value ? bind_int64(index, *value) : bind_null(index);
  }

  // Executes on the first call; true while a row is available.
  bool step() { return impl_->step(); }
  // Runs a statement that returns no rows, then resets it.
  void run() {
    while (step()) {
    }
    reset();
  }
  void reset() { impl_->reset(); }

  bool is_null(int col) const { return impl_->is_null(col); }
  std::string text(int col) const { return impl_->text(col); }
  std::optional<std::string> opt_text(int col) const {
    if (is_null(col)) return std::nullopt;
    return text(col);
  }
  std::int64_t int64(int col) const { return impl_->int64(col); }
  std::optional<std::int64_t> opt_int64(int col) const {
    if (is_null(col)) return std::nullopt;
    return int64(col);
  }
  double real(int col) const { return impl_->real(col); }

 private:
  std::unique_ptr<StatementImpl> impl_;
};

enum class TransactionMode {
  Read,   // a consistent snapshot, no writes
  Write,  // takes the write lock up front where the database has one (SQLite BEGIN IMMEDIATE)
};

class Connection {
 public:
  virtual ~Connection() = default;
  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  virtual const Dialect& dialect() const = 0;
  // Runs SQL without parameters (may hold several statements on SQLite).
  virtual void exec(std::string_view sql) = 0;
  virtual void begin(TransactionMode mode) = 0;
  // Rows changed by the last INSERT / UPDATE / DELETE.
  virtual std::int64_t changes() const = 0;
  // The id the last INSERT generated, where the dialect has no RETURNING.
  virtual std::int64_t last_insert_id() const = 0;
  // A failure said this connection cannot be used again.
  virtual bool broken() const { return false; }

  Statement prepare(std::string_view sql) { return Statement(make_statement(sql, false)); }
  // Prepared once per connection and reused (statement cache keyed by SQL text); reset on reuse.
  Statement& cached(const std::string& sql);

 protected:
  virtual std::unique_ptr<StatementImpl> make_statement(std::string_view sql, bool cached) = 0;
  // Drivers call this first in their destructor: cached statements go before the handle.
  void clear_cache() { cache_.clear(); }

 private:
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
};

// BEGIN / COMMIT, rolled back on destruction unless committed.
class Transaction {
 public:
  explicit Transaction(Connection& conn, TransactionMode mode = TransactionMode::Read);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Connection& conn_;
  bool done_ = false;
};

// Inserts one row and returns the id the database generated for `id_column`: `insert_sql` is an
// INSERT without RETURNING; `bind` binds its parameters.
template <typename Bind>
std::int64_t insert_returning_id(Connection& conn, const std::string& insert_sql, const char* id_column, Bind&& bind) {
  const auto& d = conn.dialect();
  auto& st = conn.cached(insert_sql + d.returning(id_column));
  bind(st);
  std::int64_t id = 0;
  if (d.has_returning) {
    if (!st.step()) throw DbError("INSERT ... RETURNING returned no row", ErrorKind::Other);
    id = st.int64(0);
    st.reset();
  } else {
    st.run();
    id = conn.last_insert_id();
  }
  return id;
}

}  // namespace sextant::db
