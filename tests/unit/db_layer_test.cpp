// The driver-neutral parts of db/: backend URIs, '?' -> $n translation, MySQL's reserved column
// names, dialect SQL, and the SQLite driver through the Connection interface.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>
#include <map>

#include "db/mysql.hpp"
#include "db/open.hpp"
#include "db/postgres.hpp"
#include "db/uri.hpp"
#include "db/write_queue.hpp"
#include "util/random_id.hpp"

namespace sextant::db {
namespace {

std::map<std::string, std::string> params_of(const std::string& uri) {
  auto parsed = parse_database_uri(uri);
  EXPECT_EQ(parsed.backend, Backend::Postgres);
  return {parsed.params.begin(), parsed.params.end()};
}

TEST(DatabaseUri, SqliteForms) {
  EXPECT_EQ(parse_database_uri("sqlite:///mlflow.db").sqlite_path, "mlflow.db");
  EXPECT_EQ(parse_database_uri("sqlite:////abs/path.db").sqlite_path, "/abs/path.db");
  EXPECT_EQ(parse_database_uri("sqlite:////abs/path.db?mode=rw").sqlite_path, "/abs/path.db");
  EXPECT_THROW(parse_database_uri("sqlite:///:memory:"), UriError);
  EXPECT_THROW(parse_database_uri("sqlite://rel.db"), UriError);
}

TEST(DatabaseUri, PostgresqlWithEverything) {
  auto p = params_of("postgresql+psycopg2://ml%40flow:p%3Ass%2Fw@db.example.com:6543/my%20db?sslmode=verify-full"
                     "&connect_timeout=5&sslrootcert=/etc/ca.pem");
  EXPECT_EQ(p["user"], "ml@flow");
  EXPECT_EQ(p["password"], "p:ss/w");
  EXPECT_EQ(p["host"], "db.example.com");
  EXPECT_EQ(p["port"], "6543");
  EXPECT_EQ(p["dbname"], "my db");
  EXPECT_EQ(p["sslmode"], "verify-full");
  EXPECT_EQ(p["connect_timeout"], "5");
  EXPECT_EQ(p["sslrootcert"], "/etc/ca.pem");
}

TEST(DatabaseUri, PostgresqlMinimalSocketAndIpv6) {
  auto p = params_of("postgresql:///mlflow?host=/var/run/postgresql");
  EXPECT_EQ(p["dbname"], "mlflow");
  EXPECT_EQ(p["host"], "/var/run/postgresql");
  EXPECT_EQ(p.count("user"), 0u);
  auto q = params_of("postgres://u@[::1]:5432/d");
  EXPECT_EQ(q["host"], "::1");
  EXPECT_EQ(q["port"], "5432");
  EXPECT_EQ(q["user"], "u");
  EXPECT_EQ(q.count("password"), 0u);
  auto r = params_of("postgresql://u:pw@h/d?host=/tmp/sock");  // a query option wins
  EXPECT_EQ(r["host"], "/tmp/sock");
}

TEST(DatabaseUri, PasswordsAreRedacted) {
  auto a = parse_database_uri("postgresql://mlflow:s3cret@127.0.0.1:5432/mlflow?sslmode=require");
  EXPECT_EQ(a.redacted, "postgresql://mlflow:***@127.0.0.1:5432/mlflow?sslmode=require");
  auto b = parse_database_uri("postgresql://h/d?user=u&password=s3cret&sslmode=disable");
  EXPECT_EQ(b.redacted.find("s3cret"), std::string::npos);
  EXPECT_NE(b.redacted.find("sslmode=disable"), std::string::npos);
}

TEST(DatabaseUri, MysqlForms) {
  for (const char* scheme : {"mysql", "mysql+pymysql", "mysql+mysqldb", "mariadb"}) {
    auto parsed = parse_database_uri(std::string(scheme) +
                                     "://admin:p%40ss@aurora.cluster-x.rds.amazonaws.com:3307/mlflow?charset=utf8mb4"
                                     "&ssl_ca=/etc/rds.pem&connect_timeout=5");
    EXPECT_EQ(parsed.backend, Backend::Mysql) << scheme;
    std::map<std::string, std::string> p(parsed.params.begin(), parsed.params.end());
    EXPECT_EQ(p["user"], "admin");
    EXPECT_EQ(p["password"], "p@ss");
    EXPECT_EQ(p["host"], "aurora.cluster-x.rds.amazonaws.com");
    EXPECT_EQ(p["port"], "3307");
    EXPECT_EQ(p["dbname"], "mlflow");
    EXPECT_EQ(p["ssl_ca"], "/etc/rds.pem");
    EXPECT_EQ(parsed.redacted.find("p%40ss"), std::string::npos);
  }
  auto sock = parse_database_uri("mysql+pymysql://u@/db?unix_socket=/run/mysqld/mysqld.sock");
  EXPECT_EQ(sock.params.back().second, "/run/mysqld/mysqld.sock");
  EXPECT_THROW(parse_database_uri("mysql://u@h/db?sslmode=require"), UriError);  // a libpq option
  EXPECT_THROW(parse_database_uri("mysql+aiomysql://u@h/db"), UriError);
}

TEST(MysqlText, ReservedColumnNamesAreQuoted) {
  EXPECT_EQ(mysql_quote_reserved("SELECT key, value FROM tags t WHERE t.key = ? AND groups IS NULL"),
            "SELECT `key`, value FROM tags t WHERE t.`key` = ? AND `groups` IS NULL");
  EXPECT_EQ(mysql_quote_reserved("CREATE TABLE x (\"key\" INT, PRIMARY KEY (\"key\"), k2 INT)"),
            "CREATE TABLE x (\"key\" INT, PRIMARY KEY (\"key\"), k2 INT)");
  EXPECT_EQ(mysql_quote_reserved("SELECT 'key', keys, monkey FROM t ON DUPLICATE KEY UPDATE v = 1"),
            "SELECT 'key', keys, monkey FROM t ON DUPLICATE KEY UPDATE v = 1");
}

TEST(DatabaseUri, RefusesUnknownSchemesAndBadPorts) {
  EXPECT_THROW(parse_database_uri("mssql://h/d"), UriError);
  EXPECT_THROW(parse_database_uri("postgresql+asyncpg://h/d"), UriError);
  EXPECT_THROW(parse_database_uri("mlflow.db"), UriError);
  EXPECT_THROW(parse_database_uri("postgresql://h:54x/d"), UriError);
  EXPECT_THROW(parse_database_uri("postgresql://[::1/d"), UriError);
}

TEST(PgPlaceholders, NumbersQuestionMarksOutsideQuotesAndComments) {
  int n = 0;
  EXPECT_EQ(pg_placeholders("SELECT a FROM t WHERE b = ? AND c IN (?, ?)", n),
            "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)");
  EXPECT_EQ(n, 3);
  EXPECT_EQ(pg_placeholders("SELECT '?', 'it''s ?', \"q?\" FROM t WHERE x = ?", n),
            "SELECT '?', 'it''s ?', \"q?\" FROM t WHERE x = $1");
  EXPECT_EQ(n, 1);
  EXPECT_EQ(pg_placeholders("SELECT 1 -- why?\nWHERE a = ? /* b = ? */ AND c = ?", n),
            "SELECT 1 -- why?\nWHERE a = $1 /* b = ? */ AND c = $2");
  EXPECT_EQ(n, 2);
  EXPECT_EQ(pg_placeholders("SELECT 'unterminated ?", n), "SELECT 'unterminated ?");
  EXPECT_EQ(n, 0);
}

TEST(Dialect, RendersWhatDiffers) {
  const auto& s = sqlite_dialect();
  const auto& p = postgres_dialect();
  EXPECT_EQ(s.insert_ignore("t (a) VALUES (?)"), "INSERT OR IGNORE INTO t (a) VALUES (?)");
  EXPECT_EQ(p.insert_ignore("t (a) VALUES (?)"), "INSERT INTO t (a) VALUES (?) ON CONFLICT DO NOTHING");
  EXPECT_EQ(p.upsert("t (k, v) VALUES (?, ?)", "k", "v = EXCLUDED(v)"),
            "INSERT INTO t (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v");
  EXPECT_EQ(s.ilike("c", "?"), "lower(c) LIKE lower(?)");
  EXPECT_EQ(p.ilike("c", "?"), "c ILIKE ? ESCAPE ''");
  EXPECT_EQ(p.like("c", "?"), "c LIKE ? ESCAPE ''");
  EXPECT_EQ(s.index_hint("i"), " INDEXED BY i");
  EXPECT_EQ(p.index_hint("i"), "");
  EXPECT_EQ(p.returning("id"), " RETURNING id");
  const auto& m = mysql_dialect();
  EXPECT_EQ(m.insert_ignore("t (a) VALUES (?)"), "INSERT IGNORE INTO t (a) VALUES (?)");
  EXPECT_EQ(m.upsert("t (k, v) VALUES (?, ?)", "k", "v = EXCLUDED(v)"),
            "INSERT INTO t (k, v) VALUES (?, ?) ON DUPLICATE KEY UPDATE v = VALUES(v)");
  EXPECT_EQ(m.returning("id"), "");
  EXPECT_EQ(m.ilike("c", "?"), "lower(c) LIKE lower(?)");
  EXPECT_EQ(m.cast_text("s"), "CAST(s AS CHAR)");
  EXPECT_EQ(m.rtrim_slash("a"), "TRIM(TRAILING '/' FROM a)");
  EXPECT_EQ(s.rtrim_slash("a"), "rtrim(a, '/')");
  EXPECT_FALSE(m.has_conditional_upsert());
}

TEST(SqliteDriver, StatementsTransactionsAndErrors) {
  auto path = std::filesystem::temp_directory_path() / ("sextant-db-" + util::uuid4_hex() + ".db");
  {
    auto conn = open_connection(parse_database_uri("sqlite:///" + path.string()));
    conn->exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, score REAL, flag BOOLEAN)");
    auto id = insert_returning_id(*conn, "INSERT INTO t (name, score, flag) VALUES (?, ?, ?)", "id",
                                  [](Statement& st) { st.bind(1, "a").bind(2, 0.5).bind(3, 1); });
    EXPECT_EQ(id, 1);
    {
      Transaction tx(*conn, TransactionMode::Write);
      conn->prepare("INSERT INTO t (name) VALUES (?)").bind(1, "rolled back").run();
    }
    auto& st = conn->cached("SELECT name, score, flag, id FROM t ORDER BY id");
    ASSERT_TRUE(st.step());
    EXPECT_EQ(st.text(0), "a");
    EXPECT_DOUBLE_EQ(st.real(1), 0.5);
    EXPECT_EQ(st.int64(2), 1);
    EXPECT_FALSE(st.step());
    try {
      conn->prepare("INSERT INTO t (name) VALUES (?)").bind(1, "a").run();
      FAIL() << "duplicate accepted";
    } catch (const DbError& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Constraint);
    }
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace sextant::db

namespace sextant::db {
namespace {

// Several writers over one database share one activity counter, so the writer that refreshes
// planner statistics notices writes that went to the others (PostgreSQL's plans went stale
// while rows arrived through the other writers).
TEST(WriteQueue, MaintenanceSeesTheWritesOfQueuesSharingItsCounter) {
  auto path = std::filesystem::temp_directory_path() / ("sextant-wq-" + util::uuid4_hex() + ".db");
  ConnectionFactory open = [path] { return open_connection(parse_database_uri("sqlite:///" + path.string())); };
  open()->exec("CREATE TABLE t (x INTEGER)");
  auto activity = std::make_shared<std::atomic<std::size_t>>(0);
  std::atomic<int> maintained{0};
  {
    WriteQueue first(open, 16, [&](Connection&) { ++maintained; }, std::chrono::seconds(1), activity);
    WriteQueue second(open, 16, {}, std::chrono::seconds(60), activity);
    second.run([](Connection& c) { c.exec("INSERT INTO t VALUES (1)"); });
    second.run([](Connection& c) { c.exec("INSERT INTO t VALUES (2)"); });
    EXPECT_EQ(activity->load(), 2u);
    EXPECT_EQ(first.items_committed(), 0u);
    EXPECT_EQ(second.items_committed(), 2u);
    for (int i = 0; i < 50 && maintained.load() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ(maintained.load(), 1);
    // Nothing new since: the next period passes without maintenance.
    std::this_thread::sleep_for(std::chrono::milliseconds(1300));
    EXPECT_EQ(maintained.load(), 1);
  }
  std::filesystem::remove(path);
  std::filesystem::remove(path.string() + "-wal");
  std::filesystem::remove(path.string() + "-shm");
}

}  // namespace
}  // namespace sextant::db
