#include "store/sql/migrations/secrets_trigger.hpp"

#include <string>

namespace sextant::store::sql::migrations {

namespace {

constexpr const char* kSqliteTrigger = R"sql(
CREATE TRIGGER prevent_secrets_aad_mutation
BEFORE UPDATE ON secrets
FOR EACH ROW
WHEN OLD.secret_id != NEW.secret_id OR OLD.secret_name != NEW.secret_name
BEGIN
    SELECT RAISE(ABORT, 'secret_id and secret_name are immutable (used as AAD in encryption)');
END;
)sql";

constexpr const char* kPostgresFunction = R"sql(
CREATE OR REPLACE FUNCTION prevent_secrets_aad_mutation()
RETURNS TRIGGER AS $$
BEGIN
    IF OLD.secret_id != NEW.secret_id OR OLD.secret_name != NEW.secret_name THEN
        RAISE EXCEPTION 'secret_id and secret_name are immutable (used as AAD in encryption)';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
)sql";

constexpr const char* kPostgresTrigger = R"sql(
CREATE TRIGGER prevent_secrets_aad_mutation
BEFORE UPDATE ON secrets
FOR EACH ROW
EXECUTE FUNCTION prevent_secrets_aad_mutation();
)sql";

// One statement (no trailing ';': the client sends it as it is).
constexpr const char* kMysqlTrigger = R"sql(
CREATE TRIGGER prevent_secrets_aad_mutation
BEFORE UPDATE ON secrets
FOR EACH ROW
BEGIN
    IF OLD.secret_id != NEW.secret_id OR OLD.secret_name != NEW.secret_name THEN
        SIGNAL SQLSTATE '45000'
        SET MESSAGE_TEXT = 'secret_id and secret_name are immutable (used as AAD in encryption)';
    END IF;
END
)sql";

// What to do about MySQL's refusals of CREATE TRIGGER, by error number.
std::string mysql_trigger_hint(int code) {
  switch (code) {
    case 1419:  // ER_BINLOG_CREATE_ROUTINE_NEED_SUPER
    case 1227:  // ER_SPECIFIC_ACCESS_DENIED_ERROR
      return " (with binary logging on, MySQL lets only a user with SUPER create triggers unless the server runs "
             "with log_bin_trust_function_creators=1, e.g. in the RDS parameter group; MLflow's own migration needs "
             "the same)";
    case 1142:  // ER_TABLEACCESS_DENIED_ERROR: TRIGGER command denied
      return " (the database user needs the TRIGGER privilege on the database)";
    default: return "";
  }
}

}  // namespace

void create_secrets_trigger(db::Connection& conn) {
  switch (conn.dialect().backend) {
    case db::Backend::Sqlite: conn.exec(kSqliteTrigger); break;
    case db::Backend::Postgres:
      conn.exec(kPostgresFunction);
      conn.exec(kPostgresTrigger);
      break;
    case db::Backend::Mysql: {
      auto exists = conn.prepare(
          "SELECT 1 FROM information_schema.triggers WHERE trigger_schema = DATABASE() AND trigger_name = "
          "'prevent_secrets_aad_mutation' AND event_object_table = 'secrets'");
      if (exists.step()) break;  // created by a run that failed later (MySQL commits each statement)
      try {
        conn.exec(kMysqlTrigger);
      } catch (const db::DbError& e) {
        throw db::DbError(std::string("creating MLflow's trigger prevent_secrets_aad_mutation on secrets failed: ") +
                              e.what() + mysql_trigger_hint(e.code()),
                          e.kind(), e.code());
      }
      break;
    }
  }
}

}  // namespace sextant::store::sql::migrations
