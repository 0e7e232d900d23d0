// Group commit for SQLite's single writer: requests submit write work; one writer thread runs
// many requests' work inside one transaction, each in its own SAVEPOINT, so a failing request
// rolls back only its own changes. run() returns only after the transaction has committed.
// Thread-safe. Owns its writer connection and thread; the destructor drains and joins.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "db/sqlite.hpp"

namespace sextant::db {

class WriteQueue {
 public:
  using Work = std::function<void(Connection&)>;

  // `maintenance`, if set, runs on the writer connection between groups, at most once per
  // `maintenance_period` and only after writes (e.g. refreshing planner statistics). Its errors
  // are ignored.
  WriteQueue(const std::string& path, std::size_t max_batch, Work maintenance = {},
             std::chrono::seconds maintenance_period = std::chrono::seconds(60));
  ~WriteQueue();
  WriteQueue(const WriteQueue&) = delete;
  WriteQueue& operator=(const WriteQueue&) = delete;

  // Runs `work` in the writer's transaction and waits for the commit. Rethrows what `work`
  // threw (its changes are rolled back); throws DbError if the commit itself failed.
  void run(Work work);

  // Sizes of the committed groups so far (for metrics and benchmarks).
  std::size_t groups_committed() const;
  std::size_t items_committed() const;

 private:
  struct Item;
  void writer_loop();
  void commit_group(std::deque<Item*>& group);

  Connection conn_;
  std::size_t max_batch_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Item*> pending_;
  bool stopping_ = false;
  std::size_t groups_ = 0, items_ = 0;
  Work maintenance_;
  std::chrono::seconds maintenance_period_;
  std::size_t items_at_maintenance_ = 0;
  std::chrono::steady_clock::time_point last_maintenance_ = std::chrono::steady_clock::now();
  std::thread thread_;
};

}  // namespace sextant::db
