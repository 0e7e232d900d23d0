#include "util/prometheus.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <tuple>
#include <type_traits>

namespace sextant::util::prom {

Histogram::Histogram(const std::vector<double>& upper_bounds)
    : bounds_(upper_bounds), counts_(new std::atomic<std::uint64_t>[upper_bounds.size() + 1]) {
  for (std::size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double v) {
  std::size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

std::vector<std::uint64_t> Histogram::cumulative_counts() const {
  std::vector<std::uint64_t> out(bounds_.size() + 1);
  std::uint64_t total = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) out[i] = total += counts_[i].load(std::memory_order_relaxed);
  return out;
}

const std::vector<double>& latency_buckets() {
  static const std::vector<double> b = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                        0.1,    0.25,  0.5,    1,     2.5,  5,     10, 30};
  return b;
}

std::string escape_label_value(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e15) std::snprintf(buf, sizeof(buf), "%.0f", v);
  else std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

namespace {

std::string label_text(const std::vector<std::string>& names, const std::vector<std::string>& values,
                       const std::string& extra = "") {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!out.empty()) out += ',';
    out += names[i] + "=\"" + escape_label_value(values[i]) + "\"";
  }
  if (!extra.empty()) out += (out.empty() ? "" : ",") + extra;
  return out.empty() ? "" : "{" + out + "}";
}

void header(std::string& out, const std::string& name, const std::string& help, const char* type) {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

}  // namespace

template <typename Metric>
Metric& Family<Metric>::with(const std::vector<std::string>& values) {
  std::lock_guard lock(mutex_);
  auto it = series_.find(values);
  if (it != series_.end()) return *it->second;
  std::unique_ptr<Metric> m;
  if constexpr (std::is_same_v<Metric, Histogram>) m = std::make_unique<Histogram>(bounds_);
  else m = std::make_unique<Metric>();
  auto& ref = *m;
  std::vector<std::string> key = values;
  key.resize(labels_.size());
  series_.emplace(std::move(key), std::move(m));
  return ref;
}

template <typename Metric>
void Family<Metric>::render(std::string& out, const char* type) const {
  header(out, name_, help_, type);
  std::lock_guard lock(mutex_);
  for (const auto& [values, m] : series_) {
    if constexpr (std::is_same_v<Metric, Histogram>) {
      auto counts = m->cumulative_counts();
      for (std::size_t i = 0; i < counts.size(); ++i) {
        auto le = i < m->bounds().size() ? format_value(m->bounds()[i]) : std::string("+Inf");
        out += name_ + "_bucket" + label_text(labels_, values, "le=\"" + le + "\"") + " " + std::to_string(counts[i]) + "\n";
      }
      out += name_ + "_sum" + label_text(labels_, values) + " " + format_value(m->sum()) + "\n";
      out += name_ + "_count" + label_text(labels_, values) + " " + std::to_string(counts.back()) + "\n";
    } else {
      out += name_ + label_text(labels_, values) + " " + format_value(m->value()) + "\n";
    }
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

namespace {
template <typename F, typename... Args>
F& find_or_add(std::deque<std::pair<std::string, F>>& list, const std::string& name, Args&&... args) {
  for (auto& [n, f] : list)
    if (n == name) return f;
  list.emplace_back(std::piecewise_construct, std::forward_as_tuple(name),
                    std::forward_as_tuple(name, std::forward<Args>(args)...));
  return list.back().second;
}
}  // namespace

Family<Counter>& Registry::counter(const std::string& name, const std::string& help, std::vector<std::string> labels) {
  std::lock_guard lock(mutex_);
  return find_or_add(counters_, name, help, std::move(labels));
}

Family<Gauge>& Registry::gauge(const std::string& name, const std::string& help, std::vector<std::string> labels) {
  std::lock_guard lock(mutex_);
  return find_or_add(gauges_, name, help, std::move(labels));
}

Family<Histogram>& Registry::histogram(const std::string& name, const std::string& help,
                                       std::vector<std::string> labels, const std::vector<double>& bounds) {
  std::lock_guard lock(mutex_);
  return find_or_add(histograms_, name, help, std::move(labels), bounds);
}

void Registry::add_collector(std::function<void(std::string&)> collect) {
  std::lock_guard lock(mutex_);
  collectors_.push_back(std::move(collect));
}

std::string Registry::render() const {
  std::string out;
  std::lock_guard lock(mutex_);
  for (const auto& [name, f] : counters_) f.render(out, "counter");
  for (const auto& [name, f] : gauges_) f.render(out, "gauge");
  for (const auto& [name, f] : histograms_) f.render(out, "histogram");
  for (const auto& c : collectors_) c(out);
  return out;
}

void add_process_collector(Registry& registry) {
  registry.add_collector([](std::string& out) {
    auto gauge = [&out](const char* name, const char* help, const char* type, double v) {
      out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" + name + " " +
             format_value(v) + "\n";
    };
    std::ifstream stat("/proc/self/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    auto close = text.rfind(')');
    if (close == std::string::npos) return;
    std::istringstream fields(text.substr(close + 2));
    std::vector<std::string> f((std::istream_iterator<std::string>(fields)), std::istream_iterator<std::string>());
    if (f.size() < 22) return;
    // Fields after the command, from field 3 (state): utime=14, stime=15, threads=20,
    // starttime=22, rss=24 in man proc(5) numbering.
    double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
    double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
    auto field = [&f](int n) { return std::stod(f[static_cast<std::size_t>(n - 3)]); };
    gauge("process_cpu_seconds_total", "User and system CPU time", "counter", (field(14) + field(15)) / ticks);
    gauge("process_resident_memory_bytes", "Resident memory", "gauge", field(24) * page);
    gauge("process_threads", "Threads", "gauge", field(20));
    std::ifstream uptime_file("/proc/uptime");
    double uptime = 0;
    uptime_file >> uptime;
    double boot = static_cast<double>(std::time(nullptr)) - uptime;
    gauge("process_start_time_seconds", "Start time since the Unix epoch", "gauge", boot + field(22) / ticks);
    std::size_t fds = 0;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec); !ec && it != std::filesystem::directory_iterator();
         it.increment(ec))
      ++fds;
    gauge("process_open_fds", "Open file descriptors", "gauge", static_cast<double>(fds));
  });
}

Registry& Registry::global() {
  static Registry r;
  return r;
}

}  // namespace sextant::util::prom
