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

namespace {

// A failure of the database (not of the request): the group is run again.
bool group_level(const DbError& e) { return e.busy() || e.connection_unusable(); }

bool group_level(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const DbError& e) {
    return group_level(e);
  } catch (...) {
    return false;
  }
}

}  // namespace

WriteQueue::WriteQueue(ConnectionFactory open, std::size_t max_batch, Work maintenance,
                       std::chrono::seconds maintenance_period, std::shared_ptr<std::atomic<std::size_t>> activity)
    : open_(std::move(open)),
      conn_(open_()),
      max_batch_(max_batch),
      maintenance_(std::move(maintenance)),
      maintenance_period_(maintenance_period),
      activity_(activity ? std::move(activity) : std::make_shared<std::atomic<std::size_t>>(0)),
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

std::size_t WriteQueue::groups_retried() const {
  std::lock_guard lock(mutex_);
  return retries_;
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
      auto activity = activity_->load();
      auto new_items = activity - items_at_maintenance_;
      bool due = new_items > 0 && (since >= maintenance_period_ ||
                                   (new_items >= kMaintenanceItems && since >= std::chrono::seconds(5)));
      if (maintenance_ && due && conn_ && !conn_->broken()) {
        items_at_maintenance_ = activity;
        last_maintenance_ = now;
        lock.unlock();
        try {
          maintenance_(*conn_);
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

WriteQueue::Outcome WriteQueue::try_group(std::deque<Item*>& group, std::exception_ptr& group_error) {
  for (Item* item : group) item->error = nullptr;
  bool commit_sent = false;
  try {
    if (!conn_ || conn_->broken()) {
      conn_.reset();
      conn_ = open_();
    }
    conn_->begin(TransactionMode::Write);
    // A group of one needs no savepoint: its transaction is one (two round trips fewer on a
    // server database, where groups are often single requests).
    const bool single = group.size() == 1;
    for (Item* item : group) {
      if (!single) conn_->exec("SAVEPOINT request");
      try {
        item->work(*conn_);
        if (!single) conn_->exec("RELEASE SAVEPOINT request");
      } catch (...) {
        auto error = std::current_exception();
        if (group_level(error)) throw;
        item->error = error;
        if (single) {  // the request failed: nothing to commit, the group is done
          conn_->exec("ROLLBACK");
          return Outcome::Committed;
        }
        conn_->exec("ROLLBACK TO SAVEPOINT request");
        conn_->exec("RELEASE SAVEPOINT request");
      }
    }
    commit_sent = true;
    conn_->exec("COMMIT");
    return Outcome::Committed;
  } catch (const DbError& e) {
    group_error = std::current_exception();
    if (conn_ && !conn_->broken()) {
      try {
        conn_->exec("ROLLBACK");
      } catch (...) {
      }
    }
    if (commit_sent && e.connection_unusable()) {
      // The COMMIT may have reached the server: running the group again could apply it twice.
      group_error = std::make_exception_ptr(
          DbError("the database connection was lost while committing; the outcome is unknown", ErrorKind::ConnectionLost));
      return Outcome::Done;
    }
    return group_level(e) ? Outcome::Retry : Outcome::Done;
  } catch (...) {
    group_error = std::current_exception();
    if (conn_ && !conn_->broken()) {
      try {
        conn_->exec("ROLLBACK");
      } catch (...) {
      }
    }
    return Outcome::Done;
  }
}

void WriteQueue::commit_group(std::deque<Item*>& group) {
  std::exception_ptr group_error;
  Outcome outcome = Outcome::Retry;
  int attempts = 0;
  for (int attempt = 0; attempt < kMaxAttempts && outcome == Outcome::Retry; ++attempt) {
    ++attempts;
    if (attempt > 0) {
      {
        std::lock_guard lock(mutex_);
        ++retries_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5 << attempt));  // 10 ms .. 160 ms
    }
    group_error = nullptr;
    outcome = try_group(group, group_error);
  }
  bool committed = outcome == Outcome::Committed;
  if (committed) {
    std::lock_guard lock(mutex_);
    ++groups_;
    items_ += group.size();
    activity_->fetch_add(group.size());
  }
  {
    static auto& reg = util::prom::Registry::global();
    static auto& groups = reg.counter("sextant_db_write_groups_total", "Group commits (transactions) of the writer").with({});
    static auto& items = reg.counter("sextant_db_write_requests_total", "Write requests committed in groups").with({});
    static auto& failed = reg.counter("sextant_db_write_group_failures_total", "Group commits that failed").with({});
    static auto& size = reg.histogram("sextant_db_write_group_size", "Write requests per group commit", {},
                                      {1, 2, 4, 8, 16, 32, 64, 128, 256}).with({});
    static auto& retried = reg.counter("sextant_db_write_group_retries_total",
                                       "Group commits run again after a busy database or a lost connection").with({});
    retried.inc(static_cast<double>(attempts - 1));
    if (!committed) {
      failed.inc();
    } else {
      groups.inc();
      items.inc(static_cast<double>(group.size()));
      size.observe(static_cast<double>(group.size()));
    }
  }
  for (Item* item : group) {
    if (!committed && !item->error) item->error = group_error;
    if (item->error)
      item->done.set_exception(item->error);
    else
      item->done.set_value();
  }
}

}  // namespace sextant::db
