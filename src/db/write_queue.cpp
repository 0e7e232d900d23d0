#include "db/write_queue.hpp"

#include "util/prometheus.hpp"

#include <exception>
#include <future>

namespace sextant::db {

struct WriteQueue::Item {
  Work work;
  std::promise<void> done;
  std::exception_ptr error;
};

WriteQueue::WriteQueue(const std::string& path, std::size_t max_batch, Work maintenance,
                       std::chrono::seconds maintenance_period)
    : conn_(path),
      max_batch_(max_batch),
      maintenance_(std::move(maintenance)),
      maintenance_period_(maintenance_period),
      thread_([this] { writer_loop(); }) {}

WriteQueue::~WriteQueue() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void WriteQueue::run(Work work) {
  Item item{std::move(work), {}, nullptr};
  auto future = item.done.get_future();
  {
    std::lock_guard lock(mutex_);
    pending_.push_back(&item);
  }
  cv_.notify_one();
  future.get();
}

std::size_t WriteQueue::groups_committed() const {
  std::lock_guard lock(mutex_);
  return groups_;
}

std::size_t WriteQueue::items_committed() const {
  std::lock_guard lock(mutex_);
  return items_;
}

void WriteQueue::writer_loop() {
  while (true) {
    std::deque<Item*> group;
    {
      std::unique_lock lock(mutex_);
      cv_.wait_for(lock, maintenance_period_, [this] { return stopping_ || !pending_.empty(); });
      if (pending_.empty() && stopping_) return;
      auto now = std::chrono::steady_clock::now();
      auto since = now - last_maintenance_;
      auto new_items = items_ - items_at_maintenance_;
      bool due = new_items > 0 && (since >= maintenance_period_ ||
                                   (new_items >= kMaintenanceItems && since >= std::chrono::seconds(5)));
      if (maintenance_ && due) {
        items_at_maintenance_ = items_;
        last_maintenance_ = now;
        lock.unlock();
        try {
          maintenance_(conn_);
        } catch (...) {
        }
        lock.lock();
      }
      if (pending_.empty()) continue;
      while (!pending_.empty() && group.size() < max_batch_) {
        group.push_back(pending_.front());
        pending_.pop_front();
      }
    }
    commit_group(group);
  }
}

void WriteQueue::commit_group(std::deque<Item*>& group) {
  std::exception_ptr group_error;
  try {
    conn_.exec("BEGIN IMMEDIATE");
    for (Item* item : group) {
      conn_.exec("SAVEPOINT request");
      try {
        item->work(conn_);
        conn_.exec("RELEASE request");
      } catch (...) {
        item->error = std::current_exception();
        conn_.exec("ROLLBACK TO request");
        conn_.exec("RELEASE request");
      }
    }
    conn_.exec("COMMIT");
  } catch (...) {
    group_error = std::current_exception();
    try {
      conn_.exec("ROLLBACK");
    } catch (...) {
    }
  }
  {
    std::lock_guard lock(mutex_);
    if (!group_error) {
      ++groups_;
      items_ += group.size();
    }
  }
  {
    static auto& reg = util::prom::Registry::global();
    static auto& groups = reg.counter("sextant_db_write_groups_total", "Group commits (transactions) of the writer").with({});
    static auto& items = reg.counter("sextant_db_write_requests_total", "Write requests committed in groups").with({});
    static auto& failed = reg.counter("sextant_db_write_group_failures_total", "Group commits that failed").with({});
    static auto& size = reg.histogram("sextant_db_write_group_size", "Write requests per group commit", {},
                                      {1, 2, 4, 8, 16, 32, 64, 128, 256}).with({});
    if (group_error) {
      failed.inc();
    } else {
      groups.inc();
      items.inc(static_cast<double>(group.size()));
      size.observe(static_cast<double>(group.size()));
    }
  }
  for (Item* item : group) {
    if (group_error && !item->error) item->error = group_error;
    if (item->error)
      item->done.set_exception(item->error);
    else
      item->done.set_value();
  }
}

}  // namespace sextant::db
