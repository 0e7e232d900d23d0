// A small Prometheus client: counters, gauges and histograms with labels, rendered in the text
// exposition format 0.0.4 for /metrics, plus collectors that append series computed at scrape
// time (process memory, database writer statistics). Thread-safe: updating a series is a lock-free
// atomic; finding or creating a series by its label values takes the family's mutex (keep the
// returned reference on hot paths). Series and families live as long as their registry.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace sextant::util::prom {

class Counter {
 public:
  void inc(double by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double by) { value_.fetch_add(by, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  explicit Histogram(const std::vector<double>& upper_bounds);
  void observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  // Cumulative counts per bound (+Inf last), sum and count: a consistent-enough snapshot.
  std::vector<std::uint64_t> cumulative_counts() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // per bucket (not cumulative), +Inf last
  std::atomic<double> sum_{0};
};

// Latency buckets in seconds (0.5 ms .. 30 s).
const std::vector<double>& latency_buckets();

template <typename Metric>
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> labels, std::vector<double> bounds = {})
      : name_(std::move(name)), help_(std::move(help)), labels_(std::move(labels)), bounds_(std::move(bounds)) {}
  // The series for these label values (as many as label names), created on first use.
  Metric& with(const std::vector<std::string>& values);
  void render(std::string& out, const char* type) const;

 private:
  std::string name_, help_;
  std::vector<std::string> labels_;
  std::vector<double> bounds_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<Metric>> series_;
};

class Registry {
 public:
  // Names must be valid Prometheus names; registering a name twice returns the same family.
  Family<Counter>& counter(const std::string& name, const std::string& help, std::vector<std::string> labels = {});
  Family<Gauge>& gauge(const std::string& name, const std::string& help, std::vector<std::string> labels = {});
  Family<Histogram>& histogram(const std::string& name, const std::string& help, std::vector<std::string> labels,
                               const std::vector<double>& bounds);
  // `collect` appends complete exposition text (HELP, TYPE and samples) at every render().
  void add_collector(std::function<void(std::string&)> collect);
  std::string render() const;

  // The process-wide registry /metrics serves.
  static Registry& global();

 private:
  mutable std::mutex mutex_;
  std::deque<std::pair<std::string, Family<Counter>>> counters_;
  std::deque<std::pair<std::string, Family<Gauge>>> gauges_;
  std::deque<std::pair<std::string, Family<Histogram>>> histograms_;
  std::vector<std::function<void(std::string&)>> collectors_;
};

// Adds the standard process_* series (resident memory, CPU seconds, open file descriptors,
// start time, threads) read from /proc/self at every scrape.
void add_process_collector(Registry& registry);

// Label value escaping of the exposition format (backslash, double quote, newline).
std::string escape_label_value(const std::string& v);
// A sample value as Prometheus writes it (integers without a fraction, +Inf, NaN).
std::string format_value(double v);

}  // namespace sextant::util::prom
