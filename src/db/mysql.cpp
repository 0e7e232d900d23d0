#include "db/mysql.hpp"

#include <mysql.h>

#include <cstdlib>
#include <cstring>
#include <variant>

#include "db/sql_text.hpp"

namespace sextant::db {

namespace {

ErrorKind classify(unsigned e) {
  switch (e) {
    case 1205:  // ER_LOCK_WAIT_TIMEOUT
    case 1213:  // ER_LOCK_DEADLOCK
    case 1020:  // ER_CHECKREAD (record changed since last read)
    case 1040:  // ER_CON_COUNT_ERROR (too many connections)
      return ErrorKind::Retryable;
    case 1048: case 1062: case 1216: case 1217: case 1264: case 1292: case 1364: case 1366: case 1406:
    case 1451: case 1452: case 1586: case 3819: case 4025:  // null, duplicate, FK, range, length, CHECK
      return ErrorKind::Constraint;
    case 1290: case 1792: case 1836:  // --read-only, read-only transaction, read-only mode
      return ErrorKind::ReadOnly;
    case 1053: case 1152: case 1158: case 1159: case 1160: case 1161: case 1927: case 4031:
    case 2002: case 2003: case 2006: case 2013: case 2055:  // shutdown, aborted, network, gone away, lost
      return ErrorKind::ConnectionLost;
    default:
      return ErrorKind::Other;
  }
}

struct Column {
  enum Kind { Int, Real, Text } kind = Text;
  long long i = 0;
  double d = 0;
  std::string buffer;
  unsigned long length = 0;
  my_bool null = 0;
  my_bool error = 0;
};

class MysqlStatement final : public StatementImpl {
 public:
  MysqlStatement(MysqlConnection& conn, std::string_view sql) : conn_(conn) {
    stmt_ = mysql_stmt_init(conn.handle());
    if (!stmt_) conn.fail(mysql_errno(conn.handle()), mysql_error(conn.handle()), "prepare");
    my_bool update_max = 1;
    mysql_stmt_attr_set(stmt_, STMT_ATTR_UPDATE_MAX_LENGTH, &update_max);
    auto text = mysql_quote_reserved(sql);
    if (mysql_stmt_prepare(stmt_, text.data(), text.size()) != 0) fail("prepare");
    params_.resize(mysql_stmt_param_count(stmt_));
  }
  ~MysqlStatement() override {
    if (stmt_) mysql_stmt_close(stmt_);
  }

  void bind_text(int index, std::string_view value) override { at(index) = std::string(value); }
  void bind_int64(int index, std::int64_t value) override { at(index) = static_cast<long long>(value); }
  void bind_double(int index, double value) override { at(index) = value; }
  void bind_null(int index) override { at(index) = std::monostate{}; }

  bool step() override {
    if (!executed_) {
      execute();
      executed_ = true;
    }
    if (!has_result_) return false;
    int rc = mysql_stmt_fetch(stmt_);
    if (rc == 0 || rc == MYSQL_DATA_TRUNCATED) return true;
    if (rc == MYSQL_NO_DATA) return false;
    fail("fetch");
  }
  void reset() override {
    if (has_result_) mysql_stmt_free_result(stmt_);
    has_result_ = executed_ = false;
    for (auto& p : params_) p = std::monostate{};
  }

  bool is_null(int col) const override { return columns_[static_cast<std::size_t>(col)].null != 0; }
  std::string text(int col) const override {
    const auto& c = columns_[static_cast<std::size_t>(col)];
    if (c.null) return {};
    if (c.kind == Column::Int) return std::to_string(c.i);
    if (c.kind == Column::Real) return std::to_string(c.d);
    return std::string(c.buffer.data(), c.length);
  }
  std::int64_t int64(int col) const override {
    const auto& c = columns_[static_cast<std::size_t>(col)];
    if (c.null) return 0;
    if (c.kind == Column::Int) return c.i;
    if (c.kind == Column::Real) return static_cast<std::int64_t>(c.d);
    return std::strtoll(std::string(c.buffer.data(), c.length).c_str(), nullptr, 10);
  }
  double real(int col) const override {
    const auto& c = columns_[static_cast<std::size_t>(col)];
    if (c.null) return 0;
    if (c.kind == Column::Real) return c.d;
    if (c.kind == Column::Int) return static_cast<double>(c.i);
    return std::strtod(std::string(c.buffer.data(), c.length).c_str(), nullptr);
  }

 private:
  using Param = std::variant<std::monostate, long long, double, std::string>;

  Param& at(int index) {
    if (index < 1 || static_cast<std::size_t>(index) > params_.size()) {
      throw DbError("bind: parameter " + std::to_string(index) + " out of range", ErrorKind::Other);
    }
    return params_[static_cast<std::size_t>(index - 1)];
  }

  [[noreturn]] void fail(std::string_view context) { conn_.fail(mysql_stmt_errno(stmt_), mysql_stmt_error(stmt_), context); }

  void execute() {
    std::vector<MYSQL_BIND> binds(params_.size());
    std::vector<unsigned long> lengths(params_.size());
    for (std::size_t i = 0; i < params_.size(); ++i) {
      auto& b = binds[i];
      std::memset(&b, 0, sizeof b);
      if (auto* v = std::get_if<long long>(&params_[i])) {
        b.buffer_type = MYSQL_TYPE_LONGLONG;
        b.buffer = v;
      } else if (auto* d = std::get_if<double>(&params_[i])) {
        b.buffer_type = MYSQL_TYPE_DOUBLE;
        b.buffer = d;
      } else if (auto* s = std::get_if<std::string>(&params_[i])) {
        b.buffer_type = MYSQL_TYPE_STRING;
        b.buffer = s->data();
        b.buffer_length = s->size();
        lengths[i] = s->size();
        b.length = &lengths[i];
      } else {
        b.buffer_type = MYSQL_TYPE_NULL;
      }
    }
    if (!binds.empty() && mysql_stmt_bind_param(stmt_, binds.data()) != 0) fail("bind");
    if (mysql_stmt_execute(stmt_) != 0) fail("execute");
    MYSQL_RES* meta = mysql_stmt_result_metadata(stmt_);
    if (!meta) {
      conn_.set_result(static_cast<std::int64_t>(mysql_stmt_affected_rows(stmt_)),
                       static_cast<std::int64_t>(mysql_stmt_insert_id(stmt_)));
      return;
    }
    if (mysql_stmt_store_result(stmt_) != 0) {
      mysql_free_result(meta);
      fail("store result");
    }
    has_result_ = true;
    unsigned n = mysql_num_fields(meta);
    MYSQL_FIELD* fields = mysql_fetch_fields(meta);
    columns_.assign(n, Column{});
    std::vector<MYSQL_BIND> out(n);
    for (unsigned i = 0; i < n; ++i) {
      auto& c = columns_[i];
      auto& b = out[i];
      std::memset(&b, 0, sizeof b);
      switch (fields[i].type) {
        case MYSQL_TYPE_TINY: case MYSQL_TYPE_SHORT: case MYSQL_TYPE_LONG: case MYSQL_TYPE_INT24:
        case MYSQL_TYPE_LONGLONG: case MYSQL_TYPE_YEAR:
          c.kind = Column::Int;
          b.buffer_type = MYSQL_TYPE_LONGLONG;
          b.buffer = &c.i;
          break;
        case MYSQL_TYPE_FLOAT: case MYSQL_TYPE_DOUBLE:
          c.kind = Column::Real;
          b.buffer_type = MYSQL_TYPE_DOUBLE;
          b.buffer = &c.d;
          break;
        default:
          c.kind = Column::Text;
          c.buffer.resize(fields[i].max_length + 1);
          b.buffer_type = MYSQL_TYPE_STRING;
          b.buffer = c.buffer.data();
          b.buffer_length = c.buffer.size();
          b.length = &c.length;
          break;
      }
      b.is_null = &c.null;
      b.error = &c.error;
    }
    mysql_free_result(meta);
    if (mysql_stmt_bind_result(stmt_, out.data()) != 0) fail("bind result");
    conn_.set_result(0, 0);
  }

  MysqlConnection& conn_;
  MYSQL_STMT* stmt_ = nullptr;
  std::vector<Param> params_;
  std::vector<Column> columns_;
  bool executed_ = false, has_result_ = false;
};

}  // namespace

std::string mysql_quote_reserved(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  auto word_char = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; };
  std::size_t i = 0, n = sql.size();
  while (i < n) {
    char c = sql[i];
    if (c == '\'' || c == '"' || c == '`') {
      std::size_t end = quoted_end(sql, i);
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (word_char(c)) {
      std::size_t j = i;
      while (j < n && word_char(sql[j])) ++j;
      auto word = sql.substr(i, j - i);
      if (word == "key" || word == "groups") {
        out += '`';
        out.append(word);
        out += '`';
      } else {
        out.append(word);
      }
      i = j;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

MysqlConnection::MysqlConnection(const std::vector<std::pair<std::string, std::string>>& params) {
  conn_ = mysql_init(nullptr);
  if (!conn_) throw DbError("cannot connect to MySQL: out of memory", ErrorKind::ConnectionLost);
  std::string host, user, password, dbname, socket, charset = "utf8mb4";
  unsigned port = 0, connect_timeout = 10;
  for (const auto& [k, v] : params) {
    if (k == "host") host = v;
    else if (k == "port") port = static_cast<unsigned>(std::strtoul(v.c_str(), nullptr, 10));
    else if (k == "user") user = v;
    else if (k == "password") password = v;
    else if (k == "dbname") dbname = v;
    else if (k == "unix_socket") socket = v;
    else if (k == "charset") charset = v;
    else if (k == "connect_timeout") connect_timeout = static_cast<unsigned>(std::strtoul(v.c_str(), nullptr, 10));
    else if (k == "read_timeout" || k == "write_timeout") {
      unsigned t = static_cast<unsigned>(std::strtoul(v.c_str(), nullptr, 10));
      mysql_options(conn_, k == "read_timeout" ? MYSQL_OPT_READ_TIMEOUT : MYSQL_OPT_WRITE_TIMEOUT, &t);
    } else if (k == "ssl_ca") mysql_options(conn_, MYSQL_OPT_SSL_CA, v.c_str());
    else if (k == "ssl_capath") mysql_options(conn_, MYSQL_OPT_SSL_CAPATH, v.c_str());
    else if (k == "ssl_cert") mysql_options(conn_, MYSQL_OPT_SSL_CERT, v.c_str());
    else if (k == "ssl_key") mysql_options(conn_, MYSQL_OPT_SSL_KEY, v.c_str());
    else if (k == "ssl_cipher") mysql_options(conn_, MYSQL_OPT_SSL_CIPHER, v.c_str());
    else if (k == "ssl_verify_cert") {
      my_bool verify = v == "true" || v == "1" ? 1 : 0;
      mysql_options(conn_, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
    }
  }
  mysql_options(conn_, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
  mysql_options(conn_, MYSQL_SET_CHARSET_NAME, charset.c_str());
  if (!mysql_real_connect(conn_, host.empty() ? nullptr : host.c_str(), user.empty() ? nullptr : user.c_str(),
                          password.c_str(), dbname.empty() ? nullptr : dbname.c_str(), port,
                          socket.empty() ? nullptr : socket.c_str(), CLIENT_FOUND_ROWS)) {
    std::string msg = mysql_error(conn_);
    mysql_close(conn_);
    conn_ = nullptr;
    throw DbError("cannot connect to MySQL: " + msg, ErrorKind::ConnectionLost);
  }
  exec("SET SESSION sql_mode = 'STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,"
       "NO_ENGINE_SUBSTITUTION,ANSI_QUOTES,NO_AUTO_VALUE_ON_ZERO'");
  exec("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
}

MysqlConnection::~MysqlConnection() {
  clear_cache();
  if (conn_) mysql_close(conn_);
}

void MysqlConnection::fail(unsigned error, const std::string& message, std::string_view context) {
  auto kind = classify(error);
  if (kind == ErrorKind::ConnectionLost || kind == ErrorKind::ReadOnly) broken_ = true;
  throw DbError(std::string(context) + ": " + message + " [" + std::to_string(error) + "]", kind,
                static_cast<int>(error));
}

void MysqlConnection::exec(std::string_view sql) {
  auto text = mysql_quote_reserved(sql);
  if (mysql_real_query(conn_, text.data(), text.size()) != 0) fail(mysql_errno(conn_), mysql_error(conn_), "exec");
  if (MYSQL_RES* res = mysql_store_result(conn_)) mysql_free_result(res);
  changes_ = static_cast<std::int64_t>(mysql_affected_rows(conn_));
}

void MysqlConnection::begin(TransactionMode mode) {
  if (mode == TransactionMode::Read) {
    exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    exec("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
  } else {
    exec("START TRANSACTION");
  }
}

std::unique_ptr<StatementImpl> MysqlConnection::make_statement(std::string_view sql, bool /*cached*/) {
  return std::make_unique<MysqlStatement>(*this, sql);
}

}  // namespace sextant::db
