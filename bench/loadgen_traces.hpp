// loadgen's tracing modes (issue #16): OTLP span ingest, StartTraceV3, seeding and searching
// 100,000 traces, and reading one 10,000-span trace. See bench/README.md ("Tracing").
#pragma once

#include <atomic>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "loadgen_common.hpp"
#include "loadgen_http.hpp"
#include "otlp_wire.hpp"
#include "trace_workload.hpp"

namespace loadgen {

inline constexpr const char* kOtlpPath = "/v1/traces";
inline constexpr const char* kProtobuf = "application/x-protobuf";
inline constexpr const char* kStartTracePath = "/api/3.0/mlflow/traces";
inline constexpr const char* kSearchTracesPath = "/api/3.0/mlflow/traces/search";

inline std::string experiment_header(const std::string& exp) { return "x-mlflow-experiment-id: " + exp + "\r\n"; }

inline uint64_t now_ns() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

// Spans of GET /api/3.0/mlflow/traces/get for `trace_id`, or -1 when the answer is not a trace.
inline long stored_span_count(Conn& c, const std::string& trace_id, bool allow_partial, Response* out = nullptr) {
  Response r = c.request("GET", "/api/3.0/mlflow/traces/get?trace_id=" + trace_id +
                                    (allow_partial ? "&allow_partial=true" : ""), "");
  long n = -1;
  if (r.status == 200) {
    try {
      n = static_cast<long>(json::parse(r.body).at("trace").value("spans", json::array()).size());
    } catch (const std::exception&) {
    }
  }
  if (out) *out = std::move(r);
  return n;
}

// ---------------------------------------------------------------------------------------------
// otlp: clients POST /v1/traces (protobuf) back to back; each request holds --traces-per-request
// traces of 10 spans. Afterwards one trace is read back to check that all its spans were stored.

inline int mode_otlp(const Options& o) {
  Stats st;
  st.max_samples = o.max_error_samples;
  Conn setup(o.host, o.port);
  std::string exp = ensure_experiment(o, setup, "bench-otlp", st);
  const std::string headers = experiment_header(exp);
  const traces::SpanContent content;
  const auto& shape = traces::agent_shape();
  const long spans_per_trace = static_cast<long>(shape.size());
  auto make = [&](std::mt19937_64& rng) {
    std::string spans;
    LoopRequest q;
    for (int t = 0; t < o.traces_per_request; ++t) {
      auto id = traces::random_trace_id(rng);
      uint64_t duration = 1'500'000'000 + rng() % 2'000'000'000;
      traces::append_trace_spans(spans, content, shape, 0, shape.size(), id, rng() >> 8, now_ns() - duration - 50'000'000,
                                 duration, static_cast<int>(rng() % 64));
      q.tag = id.hex;
    }
    q.body = otlp::export_request("support-agent", spans);
    q.content_type = kProtobuf;
    q.headers = headers;
    q.units = spans_per_trace * o.traces_per_request;
    return q;
  };
  warm_up(setup, kOtlpPath, make);
  LoopResult res = closed_loop(o, st, kOtlpPath, make);
  const double secs = res.seconds;
  const std::string& last_trace = res.last_tag;
  long wrong = 0, stored = -1;
  if (!last_trace.empty()) {
    stored = stored_span_count(setup, last_trace, true);
    if (stored != spans_per_trace) ++wrong;
  }
  auto ls = summarize(st.lat_ms);
  double sps = static_cast<double>(res.units) / secs;
  double request_bytes = st.ok ? static_cast<double>(res.body_bytes) / static_cast<double>(st.ok) : 0.0;
  std::printf("otlp: %d client(s), %.1f s, %d trace(s) of %ld spans per request, experiment %s\n", o.clients, secs,
              o.traces_per_request, spans_per_trace, exp.c_str());
  std::printf("  spans/s      %.0f   (%ld spans in %ld ok requests, %.0f bytes per request)\n", sps, res.units, st.ok,
              request_bytes);
  print_latency("/v1/traces", ls);
  std::printf("  errors       %ld   reconnects %ld   read back: %ld of %ld spans of trace %s\n", st.errors, st.reconnects,
              stored, spans_per_trace, last_trace.c_str());
  print_errors(st);
  std::printf("RESULT mode=otlp label=%s clients=%d seconds=%.2f spans=%ld spans_per_s=%.0f traces_per_s=%.0f "
              "requests_per_s=%.1f request_bytes=%.0f p50_ms=%.2f p99_ms=%.2f errors=%ld wrong=%ld experiment_id=%s\n",
              o.label.empty() ? "-" : o.label.c_str(), o.clients, secs, res.units, sps,
              sps / static_cast<double>(spans_per_trace), static_cast<double>(st.ok) / secs, request_bytes, ls.p50, ls.p99,
              st.errors, wrong, exp.c_str());
  return 0;
}

// ---------------------------------------------------------------------------------------------
// start-traces: clients call StartTraceV3 back to back with the 3.6 client's body.

inline int mode_start_traces(const Options& o) {
  Stats st;
  st.max_samples = o.max_error_samples;
  Conn setup(o.host, o.port);
  std::string exp = ensure_experiment(o, setup, "bench-start-traces", st);
  auto start_body = [&](std::mt19937_64& rng, const traces::TraceId& id) {
    traces::TraceSummary t;
    t.experiment_id = exp;
    t.id = &id;
    t.duration_ms = 1500 + static_cast<int64_t>(rng() % 2000);
    t.request_time_ms = now_ms() - t.duration_ms;
    t.v = static_cast<int>(rng() % 64);
    return traces::start_trace_body(t);
  };
  auto make = [&](std::mt19937_64& rng) {
    auto id = traces::random_trace_id(rng);
    LoopRequest q;
    q.body = start_body(rng, id);
    q.expect = id.hex;
    return q;
  };
  warm_up(setup, kStartTracePath, make);
  LoopResult res = closed_loop(o, st, kStartTracePath, make);
  double secs = res.seconds;
  auto ls = summarize(st.lat_ms);
  double tps = static_cast<double>(st.ok) / secs;
  std::printf("start-traces: %d client(s), %.1f s, experiment %s\n", o.clients, secs, exp.c_str());
  std::printf("  traces/s     %.0f   (%ld traces)\n", tps, st.ok);
  print_latency("StartTraceV3", ls);
  std::printf("  errors       %ld   reconnects %ld   2xx without the trace id %ld\n", st.errors, st.reconnects, res.bad);
  print_errors(st);
  std::printf("RESULT mode=start-traces label=%s clients=%d seconds=%.2f traces=%ld traces_per_s=%.0f p50_ms=%.2f "
              "p99_ms=%.2f errors=%ld wrong=%ld experiment_id=%s\n",
              o.label.empty() ? "-" : o.label.c_str(), o.clients, secs, st.ok, tps, ls.p50, ls.p99, st.errors, res.bad,
              exp.c_str());
  return 0;
}

// ---------------------------------------------------------------------------------------------
// The search data set: trace n (0-based) of the seeded experiment has tag env = prod|staging|dev
// (n % 3), state ERROR when n % 10 == 7 else OK, and request_time base_ms + 10 n. bench/traces.sh
// writes MLflow's top-up rows by the same rule (seed_topup_sqlite); keep the two in step.

inline const char* seed_env(long n) {
  static constexpr const char* envs[] = {"prod", "staging", "dev"};
  return envs[n % 3];
}
inline const char* seed_state(long n) { return n % 10 == 7 ? "ERROR" : "OK"; }
inline int64_t seed_time_ms(int64_t base_ms, long n) { return base_ms + 10 * n; }
inline bool seed_matches(long n) { return n % 3 == 0 && n % 10 != 7; }  // tags.env = 'prod' AND trace.status = 'OK'

inline int mode_seed_traces(const Options& o) {
  Stats st;
  st.max_samples = o.max_error_samples;
  Conn setup(o.host, o.port);
  std::string exp = ensure_experiment(o, setup, "bench-search-traces", st);
  const int64_t base_ms = o.base_ms ? o.base_ms : now_ms() - 10 * o.traces - 60'000;
  auto res = numbered_loop(o, st, o.traces, "traces", [&](Conn& c, std::mt19937_64& rng, long n, std::vector<double>& lat) {
    auto id = traces::random_trace_id(rng);
    traces::TraceSummary t;
    t.experiment_id = exp;
    t.id = &id;
    t.request_time_ms = seed_time_ms(base_ms, n);
    t.duration_ms = 1500 + n % 2000;
    t.state = seed_state(n);
    t.env = seed_env(n);
    t.v = static_cast<int>(n % 64);
    std::string body = traces::start_trace_body(t);
    auto rt = Clock::now();
    Response r = c.request("POST", kStartTracePath, body);
    lat.push_back(ms_since(rt));
    if (r.status / 100 != 2) st.error(kStartTracePath, body, r);
    return r.status / 100 == 2;
  });
  const double secs = res.seconds;
  const long created = res.taken, done = res.done;
  auto ls = summarize(st.lat_ms);
  // traces= says how many were sent (0..created-1); they all exist when there were no errors.
  std::printf("seed-traces: %ld/%ld traces in %.1f s with %d client(s), experiment %s\n", done, o.traces, secs,
              o.clients, exp.c_str());
  std::printf("  traces/s     %.0f\n", static_cast<double>(done) / secs);
  print_latency("StartTraceV3", ls);
  std::printf("  errors       %ld   reconnects %ld\n", st.errors, st.reconnects);
  print_errors(st);
  std::printf("RESULT mode=seed-traces label=%s clients=%d seconds=%.2f traces=%ld ok=%ld traces_per_s=%.0f "
              "base_ms=%lld errors=%ld experiment_id=%s\n",
              o.label.empty() ? "-" : o.label.c_str(), o.clients, secs, created, done, static_cast<double>(done) / secs, static_cast<long long>(base_ms), st.errors, exp.c_str());
  return st.errors == 0 ? 0 : 1;
}

// ---------------------------------------------------------------------------------------------
// search-traces: SearchTracesV3 over the seeded experiment, each answer checked against the
// expected page (the 100 newest matching traces, newest first).

inline int mode_search_traces(const Options& o) {
  if (o.experiment_id.empty() || o.base_ms == 0)
    die("search-traces needs --experiment-id and --base-ms (from seed-traces) and --traces");
  Stats st;
  st.max_samples = o.max_error_samples;
  const long page = 100;
  std::vector<int64_t> expected;
  for (long n = o.traces - 1; n >= 0 && static_cast<long>(expected.size()) < page; --n)
    if (seed_matches(n)) expected.push_back(seed_time_ms(o.base_ms, n));
  const std::string body =
      json{{"locations", json::array({{{"type", "MLFLOW_EXPERIMENT"}, {"mlflow_experiment", {{"experiment_id", o.experiment_id}}}}})},
           {"filter", "tags.env = 'prod' AND trace.status = 'OK'"},
           {"order_by", json::array({"timestamp_ms DESC"})},
           {"max_results", page}}
          .dump();
  auto check = [&](const Response& r) -> std::string {
    try {
      const json traces_j = json::parse(r.body).value("traces", json::array());
      if (traces_j.size() != expected.size())
        return "expected " + std::to_string(expected.size()) + " traces, got " + std::to_string(traces_j.size());
      for (size_t k = 0; k < traces_j.size(); ++k) {
        const json& t = traces_j[k];
        if (t.value("state", "") != "OK") return "trace " + std::to_string(k) + " is not OK";
        if (t.value("tags", json::object()).value("env", "") != "prod") return "trace " + std::to_string(k) + " is not env=prod";
        if (traces::parse_iso_time(t.value("request_time", "")) != expected[k])
          return "trace " + std::to_string(k) + " is not the expected one (order or filter wrong): " + t.value("request_time", "");
      }
    } catch (const std::exception& e) {
      return std::string("unparseable response: ") + e.what();
    }
    return {};
  };
  CheckedResult res = checked_loop(o, st, kSearchTracesPath, body, [](const Response&) {}, check);
  const double secs = res.seconds;
  auto ls = summarize(st.lat_ms);
  std::printf("search-traces: %ld request(s), %d client(s), %.1f s, experiment %s of %ld traces, %zu per answer\n",
              st.ok, o.clients, secs, o.experiment_id.c_str(), o.traces, expected.size());
  std::printf("  request      %s\n", body.c_str());
  print_latency("search", ls);
  std::printf("  errors       %ld   wrong answers %ld   reconnects %ld\n", st.errors, res.wrong, st.reconnects);
  if (!res.first_wrong.empty()) std::printf("  first wrong answer: %s\n", res.first_wrong.c_str());
  print_errors(st);
  std::printf("RESULT mode=search-traces label=%s clients=%d requests=%ld seconds=%.2f p50_ms=%.2f p99_ms=%.2f "
              "mean_ms=%.2f results=%zu errors=%ld wrong=%ld experiment_id=%s\n",
              o.label.empty() ? "-" : o.label.c_str(), o.clients, st.ok, secs, ls.p50, ls.p99, ls.mean, expected.size(),
              st.errors, res.wrong, o.experiment_id.c_str());
  return 0;
}

// ---------------------------------------------------------------------------------------------
// big-trace: one agent run of --spans spans sent over OTLP in --batch-span requests (leaves first,
// the root last, as an exporter sends them when they end), then StartTraceV3 as the client does.

inline int mode_big_trace(const Options& o) {
  Stats st;
  st.max_samples = o.max_error_samples;
  Conn c(o.host, o.port);
  std::string exp = ensure_experiment(o, c, "bench-big-trace", st);
  const std::string headers = experiment_header(exp);
  const traces::SpanContent content;
  const auto shape = traces::long_agent_shape(o.spans);
  auto rng = thread_rng();
  auto id = traces::random_trace_id(rng);
  const uint64_t duration = 600'000'000'000;  // a 10-minute agent run
  const uint64_t start = now_ns() - duration - 1'000'000'000;
  const uint64_t span_base = rng() >> 8;
  auto t0 = Clock::now();
  std::vector<double> lat;
  long sent = 0;
  auto send = [&](size_t first, size_t last) {
    std::string spans;
    traces::append_trace_spans(spans, content, shape, first, last, id, span_base, start, duration, 0);
    std::string body = otlp::export_request("support-agent", spans);
    auto rt = Clock::now();
    Response r = c.request("POST", kOtlpPath, body, kProtobuf, headers);
    lat.push_back(ms_since(rt));
    if (r.status / 100 == 2) sent += static_cast<long>(last - first);
    else st.error(kOtlpPath, "(protobuf, " + std::to_string(body.size()) + " bytes)", r);
  };
  const size_t batch = static_cast<size_t>(o.batch);
  for (size_t first = 1; first < shape.size(); first += batch) send(first, std::min(shape.size(), first + batch));
  send(0, 1);
  double ingest_s = ms_since(t0) / 1000.0;
  traces::TraceSummary t;
  t.experiment_id = exp;
  t.id = &id;
  t.request_time_ms = static_cast<int64_t>(start / 1'000'000);
  t.duration_ms = static_cast<int64_t>(duration / 1'000'000);
  t.num_spans = static_cast<int>(shape.size());
  std::string body = traces::start_trace_body(t);
  Response r = c.request("POST", kStartTracePath, body);
  if (r.status / 100 != 2) st.error(kStartTracePath, body, r);
  auto ls = summarize(lat);
  std::printf("big-trace: %s, %ld of %zu spans in %.1f s (%zu-span requests), experiment %s\n", id.hex.c_str(), sent,
              shape.size(), ingest_s, batch, exp.c_str());
  print_latency("/v1/traces", ls);
  print_errors(st);
  std::printf("RESULT mode=big-trace label=%s spans=%ld seconds=%.2f spans_per_s=%.0f p50_ms=%.2f errors=%ld "
              "trace_id=%s experiment_id=%s\n",
              o.label.empty() ? "-" : o.label.c_str(), sent, ingest_s, static_cast<double>(sent) / ingest_s, ls.p50,
              st.errors, id.hex.c_str(), exp.c_str());
  return st.errors == 0 ? 0 : 1;
}

// ---------------------------------------------------------------------------------------------
// get-trace: GET /api/3.0/mlflow/traces/get of one trace, one request at a time; the first
// (untimed) answer must hold --spans spans, every later one the same number of bytes.

inline int mode_get_trace(const Options& o) {
  if (o.trace_id.empty()) die("get-trace needs --trace-id (from big-trace)");
  Stats st;
  st.max_samples = o.max_error_samples;
  Conn c(o.host, o.port);
  const std::string path = "/api/3.0/mlflow/traces/get?trace_id=" + o.trace_id;
  Response first;
  long spans = stored_span_count(c, o.trace_id, false, &first);
  long wrong = spans == o.spans ? 0 : 1;
  if (first.status != 200) {
    st.error(path, "", first);
    print_errors(st);
    die("warm-up GetTrace failed");
  }
  const size_t size = first.body.size();
  auto t0 = Clock::now();
  std::optional<Clock::time_point> deadline;
  if (o.max_seconds > 0) deadline = deadline_after(o.max_seconds);
  std::vector<double> lat;
  for (long i = 0; i < o.iterations && !(deadline && Clock::now() >= *deadline); ++i) {
    // A new connection a request (loopback: well under a millisecond): uvicorn 0.17.6 (MLflow's
    // default server here) closes a reused keep-alive connection when an answer takes over 5 s.
    Conn fresh(o.host, o.port);
    auto rt = Clock::now();
    Response r = fresh.request("GET", path, "");
    double ms = ms_since(rt);
    if (r.status != 200) {
      st.error(path, "", r);
      continue;
    }
    lat.push_back(ms);
    if (r.body.size() != size) ++wrong;
  }
  st.merge(lat, static_cast<long>(lat.size()), 0);
  double secs = ms_since(t0) / 1000.0;
  auto ls = summarize(st.lat_ms);
  std::printf("get-trace: %s, %ld spans, %.1f MB per answer, %ld request(s) in %.1f s\n", o.trace_id.c_str(), spans,
              static_cast<double>(size) / 1e6, st.ok, secs);
  print_latency("GetTrace", ls);
  std::printf("  errors       %ld   wrong answers %ld\n", st.errors, wrong);
  print_errors(st);
  std::printf("RESULT mode=get-trace label=%s requests=%ld seconds=%.2f spans=%ld bytes=%zu p50_ms=%.2f p99_ms=%.2f "
              "max_ms=%.2f mean_ms=%.2f errors=%ld wrong=%ld\n",
              o.label.empty() ? "-" : o.label.c_str(), st.ok, secs, spans, size, ls.p50, ls.p99, ls.max, ls.mean,
              st.errors, wrong);
  return 0;
}

}  // namespace loadgen
