#include "db/connection_pool.hpp"

namespace sextant::db {

ConnectionPool::ConnectionPool(ConnectionFactory open, std::size_t size) : open_(std::move(open)), size_(size) {}

ConnectionPool::Lease::~Lease() {
  if (conn_) pool_->release(std::move(conn_));
}

ConnectionPool::Lease ConnectionPool::acquire() {
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [this] { return !idle_.empty() || opened_ < size_; });
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(conn));
  }
  ++opened_;
  lock.unlock();
  try {
    return Lease(*this, open_());
  } catch (...) {
    std::lock_guard relock(mutex_);
    --opened_;
    cv_.notify_one();
    throw;
  }
}

void ConnectionPool::release(std::unique_ptr<Connection> conn) {
  std::vector<std::unique_ptr<Connection>> closing;  // closed outside the lock
  bool broken = conn->broken();
  {
    std::lock_guard lock(mutex_);
    if (broken) {
      // A lost connection usually means the server restarted or failed over: the idle ones are
      // gone too, so they are dropped now rather than one failed request at a time.
      closing = std::move(idle_);
      idle_.clear();
      opened_ -= closing.size() + 1;
      closing.push_back(std::move(conn));
    } else {
      idle_.push_back(std::move(conn));
    }
  }
  cv_.notify_all();
}

}  // namespace sextant::db
