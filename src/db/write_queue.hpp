// Group commit for one writer connection: requests submit write work; one writer thread runs
// many requests' work inside one transaction, each in its own SAVEPOINT (a lone request needs
// none: its transaction is rolled back if it fails), so a failing request rolls back only its
// own changes. run() returns only after the transaction has committed.
//
// Failures of the database rather than of a request (DbError::busy: lock timeout,
// serialization failure, deadlock; DbError::connection_unusable: connection lost, read-only
// after a failover) roll the whole group back and run it again, on a new connection where the
// old one is gone, a bounded number of times; after that every request of the group gets that
// DbError. A group whose COMMIT was sent but not answered (connection lost) may or may not have
// committed: it is never run again, its requests get a DbError of kind ConnectionLost. Work may
// therefore run more than once and must only assign what it produces, not accumulate.
// Thread-safe. Owns its writer connection and thread; the destructor drains and joins.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "db/connection_pool.hpp"

namespace sextant::db {

class WriteQueue {
 public:
  using Work = std::function<void(Connection&)>;

  // `maintenance`, if set, runs on the writer connection between groups after writes (e.g.
  // refreshing planner statistics): once `maintenance_period` has passed, or sooner (but at most
  // every 5 s) after kMaintenanceItems more requests. Its errors are ignored. Requests are
  // counted in `activity`, which several queues over one database may share (so the one that
  // runs the maintenance sees every queue's writes); null: a counter of this queue's own.
  WriteQueue(ConnectionFactory open, std::size_t max_batch, Work maintenance = {},
             std::chrono::seconds maintenance_period = std::chrono::seconds(60),
             std::shared_ptr<std::atomic<std::size_t>> activity = nullptr);
  ~WriteQueue();
  WriteQueue(const WriteQueue&) = delete;
  WriteQueue& operator=(const WriteQueue&) = delete;

  // Runs `work` in the writer's transaction and waits for the commit. Rethrows what `work`
  // threw (its changes are rolled back); throws DbError if the group could not be committed.
  void run(Work work);

  static constexpr std::size_t kMaintenanceItems = 20000;
  static constexpr int kMaxAttempts = 6;  // runs of one group on busy / lost connection

  // Sizes of the committed groups so far (for metrics and benchmarks).
  std::size_t groups_committed() const;
  std::size_t items_committed() const;
  std::size_t groups_retried() const;

 private:
  struct Item;
  // Committed: the group ended without a database failure (each request has its own result).
  enum class Outcome { Committed, Retry, Done };
  void writer_loop();
  void commit_group(std::deque<Item*>& group);
  Outcome try_group(std::deque<Item*>& group, std::exception_ptr& group_error);

  ConnectionFactory open_;
  std::unique_ptr<Connection> conn_;
  std::size_t max_batch_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Item*> pending_;
  bool stopping_ = false;
  std::size_t groups_ = 0, items_ = 0, retries_ = 0;
  Work maintenance_;
  std::chrono::seconds maintenance_period_;
  std::shared_ptr<std::atomic<std::size_t>> activity_;
  std::size_t items_at_maintenance_ = 0;
  std::chrono::steady_clock::time_point last_maintenance_ = std::chrono::steady_clock::now();
  std::thread thread_;
};

}  // namespace sextant::db
