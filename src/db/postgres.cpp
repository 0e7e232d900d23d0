#include "db/postgres.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "db/sql_text.hpp"

namespace sextant::db {

namespace {

constexpr Oid kBoolOid = 16;

ErrorKind classify(const char* sqlstate, bool connection_bad) {
  if (connection_bad) return ErrorKind::ConnectionLost;
  if (!sqlstate) return ErrorKind::Other;
  std::string_view s(sqlstate);
  if (s == "40001" || s == "40P01" || s == "55P03") return ErrorKind::Retryable;
  if (s.starts_with("23") || s.starts_with("22")) return ErrorKind::Constraint;
  if (s == "25006") return ErrorKind::ReadOnly;
  if (s.starts_with("08") || s == "57P01" || s == "57P02" || s == "57P03") return ErrorKind::ConnectionLost;
  return ErrorKind::Other;
}

std::string trimmed(const char* msg) {
  std::string s = msg ? msg : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

class PgStatement final : public StatementImpl {
 public:
  PgStatement(PgConnection& conn, std::string_view sql, bool cached) : conn_(conn) {
    sql_ = pg_placeholders(sql, params_);
    values_.resize(static_cast<std::size_t>(params_));
    nulls_.assign(static_cast<std::size_t>(params_), true);
    if (cached) name_ = conn.next_statement_name();
  }
  ~PgStatement() override { PQclear(res_); }

  void bind_text(int index, std::string_view value) override {
    auto& slot = at(index);
    slot.assign(value.data(), value.size());
    nulls_[static_cast<std::size_t>(index - 1)] = false;
  }
  void bind_int64(int index, std::int64_t value) override { bind_text(index, std::to_string(value)); }
  void bind_double(int index, double value) override {
    char buf[64];
    std::to_chars_result r;
    // Integral values as integers, so they also bind to BIGINT columns (timestamps in filters).
    if (std::isfinite(value) && value == std::trunc(value) && std::fabs(value) <= 9007199254740992.0) {
      r = std::to_chars(buf, buf + sizeof buf, static_cast<std::int64_t>(value));
    } else if (std::isnan(value)) {
      bind_text(index, "NaN");
      return;
    } else if (std::isinf(value)) {
      bind_text(index, value > 0 ? "Infinity" : "-Infinity");
      return;
    } else {
      r = std::to_chars(buf, buf + sizeof buf, value);  // shortest round-trip form
    }
    bind_text(index, std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
  }
  void bind_null(int index) override {
    at(index).clear();
    nulls_[static_cast<std::size_t>(index - 1)] = true;
  }

  bool step() override {
    if (!res_) {
      execute();
      row_ = 0;
    } else if (row_ < rows_) {
      ++row_;
    }
    return row_ < rows_;
  }
  void reset() override {
    PQclear(res_);
    res_ = nullptr;
    rows_ = row_ = 0;
    nulls_.assign(nulls_.size(), true);
  }

  bool is_null(int col) const override { return PQgetisnull(res_, row_, col) != 0; }
  std::string text(int col) const override {
    return std::string(PQgetvalue(res_, row_, col), static_cast<std::size_t>(PQgetlength(res_, row_, col)));
  }
  std::int64_t int64(int col) const override {
    const char* v = PQgetvalue(res_, row_, col);
    if (PQftype(res_, col) == kBoolOid) return v[0] == 't' ? 1 : 0;
    return std::strtoll(v, nullptr, 10);
  }
  double real(int col) const override { return std::strtod(PQgetvalue(res_, row_, col), nullptr); }

 private:
  std::string& at(int index) {
    if (index < 1 || index > params_) {
      throw DbError("bind: parameter " + std::to_string(index) + " out of range (statement has " +
                        std::to_string(params_) + ")",
                    ErrorKind::Other);
    }
    return values_[static_cast<std::size_t>(index - 1)];
  }

  void execute() {
    std::vector<const char*> values(values_.size());
    for (std::size_t i = 0; i < values_.size(); ++i) values[i] = nulls_[i] ? nullptr : values_[i].c_str();
    PGconn* c = conn_.handle();
    PGresult* res = nullptr;
    if (name_.empty()) {
      res = PQexecParams(c, sql_.c_str(), params_, nullptr, values.data(), nullptr, nullptr, 0);
    } else {
      if (!prepared_) {
        PGresult* prep = PQprepare(c, name_.c_str(), sql_.c_str(), params_, nullptr);
        if (!prep || PQresultStatus(prep) != PGRES_COMMAND_OK) conn_.fail(prep, "prepare");
        PQclear(prep);
        prepared_ = true;
      }
      res = PQexecPrepared(c, name_.c_str(), params_, values.data(), nullptr, nullptr, 0);
    }
    auto status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) conn_.fail(res, "query");
    const char* affected = PQcmdTuples(res);
    conn_.set_changes(affected && *affected ? std::strtoll(affected, nullptr, 10) : 0);
    res_ = res;
    rows_ = status == PGRES_TUPLES_OK ? PQntuples(res) : 0;
  }

  PgConnection& conn_;
  std::string sql_, name_;
  int params_ = 0;
  bool prepared_ = false;
  std::vector<std::string> values_;
  std::vector<bool> nulls_;
  PGresult* res_ = nullptr;
  int rows_ = 0, row_ = 0;
};

void ignore_notice(void*, const char*) {}

}  // namespace

std::string pg_placeholders(std::string_view sql, int& count) {
  std::string out;
  out.reserve(sql.size() + 16);
  count = 0;
  std::size_t i = 0, n = sql.size();
  while (i < n) {
    char c = sql[i];
    if (c == '\'' || c == '"') {  // literal or quoted identifier
      std::size_t end = quoted_end(sql, i);
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      auto end = sql.find('\n', i);
      end = end == std::string_view::npos ? n : end;
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      auto end = sql.find("*/", i + 2);
      end = end == std::string_view::npos ? n : end + 2;
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (c == '?') {
      out += '$';
      out += std::to_string(++count);
      ++i;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

PgConnection::PgConnection(const std::vector<std::pair<std::string, std::string>>& params) {
  std::vector<std::pair<std::string, std::string>> all = params;
  auto add_default = [&](const char* key, const char* value) {
    for (const auto& p : all)
      if (p.first == key) return;
    all.emplace_back(key, value);
  };
  add_default("connect_timeout", "10");
  add_default("application_name", "sextant");
  add_default("client_encoding", "UTF8");
  std::vector<const char*> keys, values;
  for (const auto& [k, v] : all) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  conn_ = PQconnectdbParams(keys.data(), values.data(), 0);
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
    std::string msg = conn_ ? trimmed(PQerrorMessage(conn_)) : "out of memory";
    PQfinish(conn_);
    conn_ = nullptr;
    throw DbError("cannot connect to PostgreSQL: " + msg, ErrorKind::ConnectionLost);
  }
  PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
}

PgConnection::~PgConnection() {
  clear_cache();
  PQfinish(conn_);
}

void PgConnection::fail(PGresult* res, std::string_view context) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string msg = res ? trimmed(PQresultErrorMessage(res)) : "";
  if (msg.empty()) msg = trimmed(PQerrorMessage(conn_));
  auto kind = classify(state, PQstatus(conn_) == CONNECTION_BAD);
  std::string code = state ? std::string(" [") + state + "]" : "";
  PQclear(res);
  if (kind == ErrorKind::ConnectionLost || kind == ErrorKind::ReadOnly) broken_ = true;
  throw DbError(std::string(context) + ": " + msg + code, kind);
}

void PgConnection::exec(std::string_view sql) {
  std::string s(sql);
  PGresult* res = PQexec(conn_, s.c_str());
  auto status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(res, "exec");
  PQclear(res);
}

void PgConnection::begin(TransactionMode mode) {
  exec(mode == TransactionMode::Read ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN");
}

std::int64_t PgConnection::last_insert_id() const {
  throw DbError("last_insert_id is not available on PostgreSQL (use RETURNING)", ErrorKind::Other);
}

std::unique_ptr<StatementImpl> PgConnection::make_statement(std::string_view sql, bool cached) {
  return std::make_unique<PgStatement>(*this, sql, cached);
}

}  // namespace sextant::db
