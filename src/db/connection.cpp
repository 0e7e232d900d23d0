#include "db/connection.hpp"

namespace sextant::db {

Statement& Connection::cached(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    it = cache_.emplace(sql, std::make_unique<Statement>(make_statement(sql, true))).first;
  } else {
    it->second->reset();
  }
  return *it->second;
}

Transaction::Transaction(Connection& conn, TransactionMode mode) : conn_(conn) { conn_.begin(mode); }

Transaction::~Transaction() {
  if (!done_ && !conn_.broken()) {
    try {
      conn_.exec("ROLLBACK");
    } catch (...) {
    }
  }
}

void Transaction::commit() {
  done_ = true;  // whatever COMMIT says, do not roll back afterwards
  conn_.exec("COMMIT");
}

}  // namespace sextant::db
