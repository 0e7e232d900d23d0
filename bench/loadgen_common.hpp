// loadgen's options, statistics, error bookkeeping and the MLflow set-up requests its modes share.
#pragma once

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "loadgen_http.hpp"

namespace loadgen {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------------------------
// Options

struct Options {
  std::string mode;
  std::string host = "127.0.0.1";
  int port = 5000;
  int clients = 1;
  double seconds = 10;
  long runs = 100000;
  long iterations = 200;
  int batch = 1000;
  double max_seconds = 0;  // 0 = no cap (populate / search are count-bounded anyway)
  std::string experiment_id;
  std::string label;        // free text echoed into the RESULT line
  int max_error_samples = 5;
  // Tracing modes (loadgen_traces.hpp).
  long traces = 100000;         // seed-traces: traces to create; search-traces: traces in the experiment
  int spans = 10000;            // big-trace / get-trace: spans of the big trace
  int traces_per_request = 1;   // otlp: traces of 10 spans per /v1/traces request
  int64_t base_ms = 0;          // seed-traces / search-traces: request_time of trace 0 (0 = now - 10 ms x traces)
  std::string trace_id;         // get-trace
};

[[noreturn]] inline void die(const std::string& msg) {
  std::fprintf(stderr, "loadgen: %s\n", msg.c_str());
  std::exit(2);
}

inline void parse_url(const std::string& url, Options& o) {
  std::string_view s = url;
  if (s.substr(0, 7) != "http://") die("only http:// URLs are supported: " + url);
  s.remove_prefix(7);
  auto slash = s.find('/');
  if (slash != std::string_view::npos) s = s.substr(0, slash);
  auto colon = s.rfind(':');
  std::string host(colon == std::string_view::npos ? s : s.substr(0, colon));
  if (colon != std::string_view::npos) o.port = std::atoi(std::string(s.substr(colon + 1)).c_str());
  else o.port = 80;
  if (host == "localhost") host = "127.0.0.1";
  if (host != "127.0.0.1") die("refusing to send load anywhere but 127.0.0.1 (got " + host + ")");
  o.host = host;
}


// ---------------------------------------------------------------------------------------------
// Statistics and error bookkeeping shared across client threads.

struct Stats {
  std::mutex mu;
  std::vector<double> lat_ms;  // successful requests only
  long ok = 0;
  long errors = 0;
  long reconnects = 0;
  std::map<std::string, long> error_kinds;  // "status path" -> count
  std::vector<std::string> samples;
  int max_samples = 5;

  void merge(const std::vector<double>& l, long ok_, long reconnects_) {
    std::lock_guard g(mu);
    lat_ms.insert(lat_ms.end(), l.begin(), l.end());
    ok += ok_;
    reconnects += reconnects_;
  }
  void error(std::string_view path, std::string_view req_body, const Response& r) {
    std::lock_guard g(mu);
    ++errors;
    std::string kind = (r.status ? std::to_string(r.status) : std::string("transport")) + " " + std::string(path);
    ++error_kinds[kind];
    if (static_cast<int>(samples.size()) < max_samples) {
      std::string rb(req_body.substr(0, 400));
      if (req_body.size() > 400) rb += "...(" + std::to_string(req_body.size()) + " bytes)";
      std::string s = "POST " + std::string(path) + "\n    request:  " + rb + "\n    response: " +
                      (r.status ? std::to_string(r.status) + " " + r.body.substr(0, 600) : "transport error: " + r.error);
      samples.push_back(std::move(s));
    }
  }
};

inline double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return NAN;
  size_t k = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size()))) ;
  if (k == 0) k = 1;
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k - 1), v.end());
  return v[k - 1];
}

struct LatencySummary { double p50, p90, p99, max, mean; };
inline LatencySummary summarize(std::vector<double> v) {
  LatencySummary s{NAN, NAN, NAN, NAN, NAN};
  if (v.empty()) return s;
  double sum = 0;
  for (double x : v) sum += x;
  s.mean = sum / static_cast<double>(v.size());
  s.max = *std::max_element(v.begin(), v.end());
  s.p50 = percentile(v, 50);
  s.p90 = percentile(v, 90);
  s.p99 = percentile(v, 99);
  return s;
}

inline void print_errors(Stats& st) {
  if (st.errors == 0) return;
  std::printf("  errors by kind:\n");
  for (auto& [k, n] : st.error_kinds) std::printf("    %6ld  %s\n", n, k.c_str());
  std::printf("  first %zu error(s):\n", st.samples.size());
  for (auto& s : st.samples) std::printf("  - %s\n", s.c_str());
}

inline int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

inline void append_double(std::string& s, double v) {
  char tmp[32];
  auto [p, ec] = std::to_chars(tmp, tmp + sizeof tmp, v);
  s.append(tmp, p);
}
inline void append_int(std::string& s, int64_t v) {
  char tmp[24];
  auto [p, ec] = std::to_chars(tmp, tmp + sizeof tmp, v);
  s.append(tmp, p);
}

// A small sequence of requests used by the setup steps.
inline std::optional<std::string> create_experiment(Conn& c, const std::string& prefix, Stats* st) {
  std::random_device rd;
  char suffix[17];
  std::snprintf(suffix, sizeof suffix, "%08x%08x", rd(), rd());
  std::string body = json{{"name", prefix + "-" + suffix}}.dump();
  const char* path = "/api/2.0/mlflow/experiments/create";
  Response r = c.request("POST", path, body);
  if (r.status / 100 != 2) {
    if (st) st->error(path, body, r);
    std::fprintf(stderr, "create experiment failed: %d %s %s\n", r.status, r.body.c_str(), r.error.c_str());
    return std::nullopt;
  }
  try {
    return json::parse(r.body).at("experiment_id").get<std::string>();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "create experiment: bad response %s\n", r.body.c_str());
    return std::nullopt;
  }
}

inline std::string create_run_body(const std::string& exp_id) {
  std::string b = "{\"experiment_id\":\"";
  b += exp_id;
  b += "\",\"start_time\":";
  append_int(b, now_ms());
  b += "}";
  return b;
}

inline std::optional<std::string> run_id_from(const Response& r) {
  try {
    return json::parse(r.body).at("run").at("info").at("run_id").get<std::string>();
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

inline std::string ensure_experiment(const Options& o, Conn& c, const std::string& prefix, Stats& st) {
  if (!o.experiment_id.empty()) return o.experiment_id;
  auto e = create_experiment(c, prefix, &st);
  if (!e) {
    print_errors(st);
    die("could not create an experiment");
  }
  return *e;
}

inline void print_latency(const char* what, const LatencySummary& s) {
  std::printf("  %-12s p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms  mean %.2f ms\n", what, s.p50, s.p90,
              s.p99, s.max, s.mean);
}

// Per-thread generator: seeded from the OS so that phases (separate processes) never repeat trace ids.
inline std::mt19937_64 thread_rng() {
  std::random_device rd;
  return std::mt19937_64((uint64_t{rd()} << 32) ^ rd());
}

inline Clock::time_point deadline_after(double seconds) {
  return Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

// ---------------------------------------------------------------------------------------------
// A closed loop: o.clients threads, one keep-alive connection each, send requests back to back
// until o.seconds have passed.

struct LoopRequest {
  std::string body;
  std::string_view content_type = "application/json";
  std::string_view headers;  // extra header lines, each ending in "\r\n"
  std::string expect;        // a 2xx answer without this text is a bad answer ("" = no check)
  long units = 1;            // work the request stands for (spans, traces, runs), counted on 2xx
  std::string tag;           // remembered for the last 2xx request (e.g. a trace id)
};

struct LoopResult {
  double seconds = 0;
  long units = 0;
  long bad = 0;
  long body_bytes = 0;  // of the 2xx requests
  std::string last_tag;
};

// One untimed request before a closed loop, so that servers that set things up on first use
// (MLflow's workers) do it before the clock starts.
template <class Make>
void warm_up(Conn& c, const char* path, Make make) {
  auto rng = thread_rng();
  LoopRequest q = make(rng);
  Response r = c.request("POST", path, q.body, q.content_type, q.headers);
  if (r.status / 100 != 2) std::printf("  warm-up request failed: %d %s\n", r.status, r.body.substr(0, 300).c_str());
}

// make(rng) builds each request; rng is seeded from the OS per thread.
template <class Make>
LoopResult closed_loop(const Options& o, Stats& st, const char* path, Make make) {
  std::atomic<long> units{0}, bad{0}, bytes{0};
  std::mutex tag_mu;
  LoopResult res;
  auto t0 = Clock::now();
  auto deadline = deadline_after(o.seconds);
  std::vector<std::thread> threads;
  for (int i = 0; i < o.clients; ++i) {
    threads.emplace_back([&] {
      Conn c(o.host, o.port);
      auto rng = thread_rng();
      std::vector<double> lat;
      long ok = 0, u = 0, b = 0;
      std::string tag;
      while (Clock::now() < deadline) {
        LoopRequest q = make(rng);
        auto rt = Clock::now();
        Response r = c.request("POST", path, q.body, q.content_type, q.headers);
        double ms = ms_since(rt);
        if (r.status / 100 == 2) {
          lat.push_back(ms);
          ++ok;
          u += q.units;
          b += static_cast<long>(q.body.size());
          tag = std::move(q.tag);
          // Cheap sanity check rather than a full parse on every call.
          if (!q.expect.empty() && r.body.find(q.expect) == std::string::npos) ++bad;
        } else {
          st.error(path, q.content_type == "application/json" ? std::string_view(q.body) : "(binary body)", r);
          if (r.status == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
      }
      units += u;
      bytes += b;
      if (!tag.empty()) {
        std::lock_guard g(tag_mu);
        res.last_tag = tag;
      }
      st.merge(lat, ok, c.reconnects());
    });
  }
  for (auto& t : threads) t.join();
  res.seconds = ms_since(t0) / 1000.0;
  res.units = units.load();
  res.bad = bad.load();
  res.body_bytes = bytes.load();
  return res;
}

// ---------------------------------------------------------------------------------------------
// A numbered loop: items 0..count-1 are handed out in order to o.clients threads until all are
// done, o.max_seconds (if set) have passed, or the server has failed over 1,000 requests.
// item(conn, rng, n, lat) sends item n's requests (latencies into lat, failures into st) and
// returns whether it succeeded. A thread stops only before it takes a number, so items
// 0..taken-1 were all sent.

struct NumberedResult {
  double seconds = 0;
  long taken = 0;
  long done = 0;
};

template <class Item>
NumberedResult numbered_loop(const Options& o, Stats& st, long count, const char* what, Item item) {
  std::atomic<long> next{0}, done{0};
  std::atomic<bool> stop{false};
  auto t0 = Clock::now();
  std::optional<Clock::time_point> deadline;
  if (o.max_seconds > 0) deadline = deadline_after(o.max_seconds);
  std::vector<std::thread> threads;
  for (int i = 0; i < o.clients; ++i) {
    threads.emplace_back([&] {
      Conn c(o.host, o.port);
      auto rng = thread_rng();
      std::vector<double> lat;
      long ok = 0;
      for (;;) {
        if (stop.load(std::memory_order_relaxed) || (deadline && Clock::now() >= *deadline)) break;
        long n = next.fetch_add(1);
        if (n >= count) break;
        if (!item(c, rng, n, lat)) {
          if (st.errors > 1000) stop = true;  // the server is broken; do not hammer it for minutes
          continue;
        }
        ++ok;
        long d = ++done;
        if (d % 10000 == 0) {
          std::printf("  ... %ld %s (%.0f/s)\n", d, what, static_cast<double>(d) / (ms_since(t0) / 1000.0));
          std::fflush(stdout);
        }
      }
      st.merge(lat, ok, c.reconnects());
    });
  }
  for (auto& t : threads) t.join();
  return NumberedResult{ms_since(t0) / 1000.0, std::min(next.load(), count), done.load()};
}

// ---------------------------------------------------------------------------------------------
// A checked loop: the same POST o.iterations times (fewer when o.max_seconds pass) over
// o.clients connections, after one untimed warm-up request (which must succeed; warm(response)
// sees it). check(response) returns why a 2xx answer is wrong ("" = right); it runs outside the
// timed section.

struct CheckedResult {
  double seconds = 0;
  long wrong = 0;
  std::string first_wrong;  // the first reason, with the start of that answer
};

template <class Warm, class Check>
CheckedResult checked_loop(const Options& o, Stats& st, const char* path, const std::string& body, Warm warm,
                           Check check) {
  CheckedResult res;
  {
    Conn c(o.host, o.port);
    Response r = c.request("POST", path, body);
    if (r.status / 100 != 2) {
      st.error(path, body, r);
      print_errors(st);
      die("warm-up request failed");
    }
    warm(r);
  }
  std::atomic<long> next{0}, wrong{0};
  std::mutex first_mu;
  auto t0 = Clock::now();
  std::optional<Clock::time_point> deadline;
  if (o.max_seconds > 0) deadline = deadline_after(o.max_seconds);
  std::vector<std::thread> threads;
  for (int i = 0; i < o.clients; ++i) {
    threads.emplace_back([&] {
      Conn c(o.host, o.port);
      std::vector<double> lat;
      long ok = 0;
      for (;;) {
        if ((deadline && Clock::now() >= *deadline) || next.fetch_add(1) >= o.iterations) break;
        auto rt = Clock::now();
        Response r = c.request("POST", path, body);
        double ms = ms_since(rt);
        if (r.status / 100 != 2) {
          st.error(path, body, r);
          continue;
        }
        lat.push_back(ms);
        ++ok;
        if (std::string why = check(r); !why.empty()) {
          ++wrong;
          std::lock_guard g(first_mu);
          if (res.first_wrong.empty()) res.first_wrong = why + ": " + r.body.substr(0, 400);
        }
      }
      st.merge(lat, ok, c.reconnects());
    });
  }
  for (auto& t : threads) t.join();
  res.seconds = ms_since(t0) / 1000.0;
  res.wrong = wrong.load();
  return res;
}

}  // namespace loadgen
