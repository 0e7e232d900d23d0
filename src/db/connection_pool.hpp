// A bounded pool of connections for readers. acquire() blocks while all are in use.
// Thread-safe. Connections are opened lazily up to `size` by the factory; a connection that a
// failure left unusable (Connection::broken) is dropped on release, so the next acquire opens
// a new one (this is how readers reconnect after the database server restarted).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "db/connection.hpp"

namespace sextant::db {

using ConnectionFactory = std::function<std::unique_ptr<Connection>()>;

class ConnectionPool {
 public:
  ConnectionPool(ConnectionFactory open, std::size_t size);

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

  ConnectionFactory open_;
  std::size_t size_;
  std::size_t opened_ = 0;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace sextant::db
