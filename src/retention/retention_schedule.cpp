#include "retention/retention_schedule.hpp"

#include <exception>

#include "util/time.hpp"

namespace sextant::retention {

RetentionSchedule::RetentionSchedule(TraceRetention& retention, RetentionOptions options,
                                     std::chrono::seconds interval, TraceRetention::Log log)
    : retention_(retention), options_(std::move(options)), interval_(interval), log_(std::move(log)) {
  thread_ = std::thread([this] { loop(); });
}

RetentionSchedule::~RetentionSchedule() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void RetentionSchedule::loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    try {
      auto report = retention_.run(options_, util::now_ms());
      if (report.traces_deleted > 0 || report.traces_kept > 0) {
        log_("trace retention: " + std::to_string(report.traces_deleted) + " traces deleted, " +
             std::to_string(report.traces_kept) + " kept (artifacts not removable)");
      }
    } catch (const std::exception& e) {
      log_(std::string("trace retention failed (retried in the next interval): ") + e.what());
    }
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace sextant::retention
