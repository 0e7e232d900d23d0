// The server's own trace retention (--trace-retention DURATION): a background thread that runs a
// TraceRetention pass at start and then every `interval`, until destroyed (which waits for a pass
// in progress to finish its batch). Failures are logged and retried at the next interval.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "retention/trace_retention.hpp"

namespace sextant::retention {

class RetentionSchedule {
 public:
  RetentionSchedule(TraceRetention& retention, RetentionOptions options, std::chrono::seconds interval,
                    TraceRetention::Log log);
  ~RetentionSchedule();
  RetentionSchedule(const RetentionSchedule&) = delete;
  RetentionSchedule& operator=(const RetentionSchedule&) = delete;

 private:
  void loop();

  TraceRetention& retention_;
  RetentionOptions options_;
  std::chrono::seconds interval_;
  TraceRetention::Log log_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sextant::retention
