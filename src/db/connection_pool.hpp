// A bounded pool of SQLite connections for readers. acquire() blocks while all are in use.
// Thread-safe. Connections are opened lazily up to `size`.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "db/sqlite.hpp"

namespace sextant::db {

class ConnectionPool {
 public:
  ConnectionPool(std::string path, std::size_t size);

  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<Connection> conn) : pool_(&pool), conn_(std::move(conn)) {}
    Lease(Lease&&) = default;
    ~Lease();
    Connection& operator*() { return *conn_; }
    Connection* operator->() { return conn_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  Lease acquire();

 private:
  void release(std::unique_ptr<Connection> conn);

  std::string path_;
  std::size_t size_;
  std::size_t opened_ = 0;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace sextant::db
