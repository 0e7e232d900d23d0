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
  bool broken = conn->broken();
  if (broken) conn.reset();  // closed outside the lock
  {
    std::lock_guard lock(mutex_);
    if (broken)
      --opened_;
    else
      idle_.push_back(std::move(conn));
  }
  cv_.notify_one();
}

}  // namespace sextant::db
