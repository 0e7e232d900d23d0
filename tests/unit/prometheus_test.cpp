// util/prometheus: exposition text of counters, gauges, histograms and collectors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include "util/prometheus.hpp"

namespace sextant::util::prom {
namespace {

TEST(Prometheus, RendersCountersGaugesAndLabels) {
  Registry r;
  auto& c = r.counter("x_requests_total", "Requests", {"method", "path"});
  c.with({"GET", "/a"}).inc();
  c.with({"GET", "/a"}).inc(2);
  c.with({"POST", "/b\"\\\n"}).inc();
  r.gauge("x_in_flight", "In flight").with({}).set(3);
  EXPECT_EQ(&r.counter("x_requests_total", "again", {"method", "path"}), &c);  // same family
  auto text = r.render();
  EXPECT_NE(text.find("# HELP x_requests_total Requests\n# TYPE x_requests_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("x_requests_total{method=\"GET\",path=\"/a\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("x_requests_total{method=\"POST\",path=\"/b\\\"\\\\\\n\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE x_in_flight gauge\nx_in_flight 3\n"), std::string::npos) << text;
}

TEST(Prometheus, HistogramBucketsAreCumulative) {
  Registry r;
  auto& h = r.histogram("x_seconds", "Latency", {"route"}, {0.1, 1}).with({"/r"});
  for (double v : {0.05, 0.1, 0.5, 2.0}) h.observe(v);
  auto text = r.render();
  EXPECT_NE(text.find("x_seconds_bucket{route=\"/r\",le=\"0.10000000000000001\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("x_seconds_bucket{route=\"/r\",le=\"1\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("x_seconds_bucket{route=\"/r\",le=\"+Inf\"} 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("x_seconds_count{route=\"/r\"} 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("x_seconds_sum{route=\"/r\"} 2.6499999999999999\n"), std::string::npos) << text;
}

TEST(Prometheus, ConcurrentIncrementsAreNotLost) {
  Registry r;
  auto& fam = r.counter("x_total", "n", {"t"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&fam] {
      for (int i = 0; i < 10000; ++i) fam.with({"same"}).inc();
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(fam.with({"same"}).value(), 40000);
}

TEST(Prometheus, ValuesAndCollectors) {
  EXPECT_EQ(format_value(3), "3");
  EXPECT_EQ(format_value(0.5), "0.5");
  EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_value(std::nan("")), "NaN");
  Registry r;
  add_process_collector(r);
  auto text = r.render();
  for (const char* name : {"process_cpu_seconds_total ", "process_resident_memory_bytes ", "process_threads ",
                           "process_start_time_seconds ", "process_open_fds "}) {
    EXPECT_NE(text.find(std::string("\n") + name), std::string::npos) << name << "\n" << text;
  }
}

}  // namespace
}  // namespace sextant::util::prom
