// Sextant load generator: drives an MLflow-compatible tracking server over HTTP/1.1 keep-alive.
//
// Standalone on purpose (POSIX sockets + nlohmann/json, one thread per client) so that it can be
// pointed at Sextant and at MLflow's own server alike. Traffic goes to 127.0.0.1 only, and every loop
// is bounded by a time limit or a count.
//
//   loadgen ingest      --url U --clients N --seconds S [--batch 1000] [--experiment-id E]
//   loadgen create-runs --url U --clients N --seconds S [--experiment-id E]
//   loadgen populate    --url U --runs R [--clients N] [--max-seconds S] [--experiment-id E]
//   loadgen search      --url U --experiment-id E --iterations N [--clients C] [--max-seconds S]
//   loadgen otlp          --url U --clients N --seconds S [--traces-per-request T] [--experiment-id E]
//   loadgen start-traces  --url U --clients N --seconds S [--experiment-id E]
//   loadgen seed-traces   --url U --traces N [--clients C] [--max-seconds S] [--base-ms B] [--experiment-id E]
//   loadgen search-traces --url U --experiment-id E --traces N --base-ms B --iterations I [--clients C] [--max-seconds S]
//   loadgen big-trace     --url U [--spans 10000] [--batch 1000]
//   loadgen get-trace     --url U --trace-id T [--spans 10000] --iterations I [--max-seconds S]
//   loadgen wait        --url U [--seconds S]          (polls GET /health until 200)
//
// Every mode prints a human-readable report and one final line `RESULT key=value ...` for scripts.
// Any non-2xx response (or transport failure) counts as an error; the first few are printed with
// request and response.

#include <sys/resource.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "loadgen_common.hpp"
#include "loadgen_http.hpp"
#include "loadgen_traces.hpp"

namespace loadgen {
namespace {

Options parse_args(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: loadgen {ingest|create-runs|populate|search|otlp|start-traces|seed-traces|search-traces|\n"
                 "                big-trace|get-trace|wait} [--url http://127.0.0.1:5000]\n"
                 "  [--clients N] [--seconds S] [--runs R] [--iterations N] [--batch B]\n"
                 "  [--experiment-id E] [--max-seconds S] [--label TEXT]\n"
                 "  [--traces N] [--spans N] [--traces-per-request T] [--base-ms B] [--trace-id T]\n");
    std::exit(2);
  }
  Options o;
  o.mode = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) die("missing value for " + a);
      return argv[++i];
    };
    if (a == "--url") parse_url(val(), o);
    else if (a == "--clients") o.clients = std::max(1, std::atoi(val().c_str()));
    else if (a == "--seconds") o.seconds = std::atof(val().c_str());
    else if (a == "--runs") o.runs = std::atol(val().c_str());
    else if (a == "--iterations") o.iterations = std::atol(val().c_str());
    else if (a == "--batch") o.batch = std::clamp(std::atoi(val().c_str()), 1, 1000);
    else if (a == "--max-seconds") o.max_seconds = std::atof(val().c_str());
    else if (a == "--experiment-id") o.experiment_id = val();
    else if (a == "--label") o.label = val();
    else if (a == "--errors") o.max_error_samples = std::atoi(val().c_str());
    else if (a == "--traces") o.traces = std::atol(val().c_str());
    else if (a == "--spans") o.spans = std::max(1, std::atoi(val().c_str()));
    else if (a == "--traces-per-request") o.traces_per_request = std::max(1, std::atoi(val().c_str()));
    else if (a == "--base-ms") o.base_ms = std::atoll(val().c_str());
    else if (a == "--trace-id") o.trace_id = val();
    else die("unknown option " + a);
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// ingest: each client creates its own run, then logs batches of metric values with distinct steps.

int mode_ingest(const Options& o) {
  Stats st;
  st.max_samples = o.max_error_samples;
  Conn setup(o.host, o.port);
  std::string exp = ensure_experiment(o, setup, "bench-ingest", st);
  const char* create_path = "/api/2.0/mlflow/runs/create";
  const char* batch_path = "/api/2.0/mlflow/runs/log-batch";

  // Runs are created before the clock starts: the figure is about log-batch.
  std::vector<std::string> run_ids(static_cast<size_t>(o.clients));
  for (int i = 0; i < o.clients; ++i) {
    std::string body = create_run_body(exp);
    Response r = setup.request("POST", create_path, body);
    auto id = r.status / 100 == 2 ? run_id_from(r) : std::nullopt;
    if (!id) {
      st.error(create_path, body, r);
      print_errors(st);
      die("could not create a run");
    }
    run_ids[static_cast<size_t>(i)] = *id;
  }

  std::atomic<long> values{0};
  auto t0 = Clock::now();
  auto deadline = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
  std::vector<std::thread> threads;
  for (int i = 0; i < o.clients; ++i) {
    threads.emplace_back([&, i] {
      Conn c(o.host, o.port);
      std::mt19937_64 rng(static_cast<uint64_t>(i) * 7919 + 17);
      std::uniform_real_distribution<double> dist(0.0, 1.0);
      std::vector<double> lat;
      long ok = 0, v = 0;
      int64_t batch_no = 0;
      std::string body;
      body.reserve(static_cast<size_t>(o.batch) * 80 + 128);
      const std::string& run_id = run_ids[static_cast<size_t>(i)];
      while (Clock::now() < deadline) {
        body.clear();
        body += "{\"run_id\":\"";
        body += run_id;
        body += "\",\"metrics\":[";
        int64_t ts = now_ms();
        for (int k = 0; k < o.batch; ++k) {
          // 10 keys; within a batch each key gets batch/10 consecutive steps; steps keep growing across
          // batches, so no (key, step) pair repeats and nothing is a duplicate.
          int key = k % 10;
          int64_t step = batch_no * ((o.batch + 9) / 10) + k / 10;
          if (k) body += ',';
          body += "{\"key\":\"m";
          append_int(body, key);
          body += "\",\"value\":";
          append_double(body, dist(rng));
          body += ",\"timestamp\":";
          append_int(body, ts);
          body += ",\"step\":";
          append_int(body, step);
          body += '}';
        }
        body += "]}";
        ++batch_no;
        auto rt = Clock::now();
        Response r = c.request("POST", batch_path, body);
        double ms = ms_since(rt);
        if (r.status / 100 == 2) {
          lat.push_back(ms);
          ++ok;
          v += o.batch;
        } else {
          st.error(batch_path, body, r);
          if (r.status == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
      }
      values += v;
      st.merge(lat, ok, c.reconnects());
    });
  }
  for (auto& t : threads) t.join();
  double secs = ms_since(t0) / 1000.0;
  auto ls = summarize(st.lat_ms);
  double vps = static_cast<double>(values.load()) / secs;
  double rps = static_cast<double>(st.ok) / secs;
  std::printf("ingest: %d client(s), %.1f s, batch %d, experiment %s\n", o.clients, secs, o.batch, exp.c_str());
  std::printf("  values/s     %.0f   (%ld values in %ld ok requests)\n", vps, values.load(), st.ok);
  std::printf("  requests/s   %.1f\n", rps);
  print_latency("log-batch", ls);
  std::printf("  errors       %ld   reconnects %ld\n", st.errors, st.reconnects);
  print_errors(st);
  std::printf("RESULT mode=ingest label=%s clients=%d seconds=%.2f values=%ld values_per_s=%.0f requests_per_s=%.1f "
              "p50_ms=%.2f p99_ms=%.2f errors=%ld experiment_id=%s\n",
              o.label.empty() ? "-" : o.label.c_str(), o.clients, secs, values.load(), vps, rps, ls.p50, ls.p99,
              st.errors, exp.c_str());
  return 0;
}

// ---------------------------------------------------------------------------------------------
// create-runs: clients create runs back to back for a fixed time.

int mode_create_runs(const Options& o) {
  Stats st;
  st.max_samples = o.max_error_samples;
  Conn setup(o.host, o.port);
  std::string exp = ensure_experiment(o, setup, "bench-create-runs", st);
  const char* path = "/api/2.0/mlflow/runs/create";
  LoopResult res = closed_loop(o, st, path, [&](std::mt19937_64&) {
    LoopRequest q;
    q.body = create_run_body(exp);
    q.expect = "\"run_id\"";
    return q;
  });
  double secs = res.seconds;
  auto ls = summarize(st.lat_ms);
  double rps = static_cast<double>(st.ok) / secs;
  std::printf("create-runs: %d client(s), %.1f s, experiment %s\n", o.clients, secs, exp.c_str());
  std::printf("  runs/s       %.0f   (%ld runs)\n", rps, st.ok);
  print_latency("runs/create", ls);
  std::printf("  errors       %ld   reconnects %ld   2xx without run_id %ld\n", st.errors, st.reconnects, res.bad);
  print_errors(st);
  std::printf("RESULT mode=create-runs label=%s clients=%d seconds=%.2f runs=%ld runs_per_s=%.0f p50_ms=%.2f "
              "p99_ms=%.2f errors=%ld experiment_id=%s\n",
              o.label.empty() ? "-" : o.label.c_str(), o.clients, secs, st.ok, rps, ls.p50, ls.p99,
              st.errors + res.bad, exp.c_str());
  return 0;
}

// ---------------------------------------------------------------------------------------------
// populate: R runs in one experiment, each with metric acc ~ U[0,1] and param lr in {0.1,0.01,0.001}.

int mode_populate(const Options& o) {
  Stats st;
  st.max_samples = o.max_error_samples;
  Conn setup(o.host, o.port);
  std::string exp = ensure_experiment(o, setup, "bench-search", st);
  const char* create_path = "/api/2.0/mlflow/runs/create";
  const char* batch_path = "/api/2.0/mlflow/runs/log-batch";
  static const char* lrs[] = {"0.1", "0.01", "0.001"};
  std::atomic<long> matching{0};
  auto res = numbered_loop(o, st, o.runs, "runs", [&](Conn& c, std::mt19937_64& rng, long, std::vector<double>& lat) {
    std::string body = create_run_body(exp);
    auto rt = Clock::now();
    Response r = c.request("POST", create_path, body);
    lat.push_back(ms_since(rt));
    auto id = r.status / 100 == 2 ? run_id_from(r) : std::nullopt;
    if (!id) {
      st.error(create_path, body, r);
      return false;
    }
    double acc = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
    const char* lr = lrs[rng() % 3];
    std::string b = "{\"run_id\":\"" + *id + "\",\"metrics\":[{\"key\":\"acc\",\"value\":";
    append_double(b, acc);
    b += ",\"timestamp\":";
    append_int(b, now_ms());
    b += ",\"step\":0}],\"params\":[{\"key\":\"lr\",\"value\":\"";
    b += lr;
    b += "\"}]}";
    rt = Clock::now();
    r = c.request("POST", batch_path, b);
    lat.push_back(ms_since(rt));
    if (r.status / 100 != 2) {
      st.error(batch_path, b, r);
      return false;
    }
    if (acc > 0.9 && std::strcmp(lr, "0.01") == 0) ++matching;
    return true;
  });
  std::atomic<long> done{res.done};
  double secs = res.seconds;
  auto ls = summarize(st.lat_ms);
  double rps = static_cast<double>(done.load()) / secs;
  std::printf("populate: %ld/%ld runs in %.1f s with %d client(s), experiment %s\n", done.load(), o.runs, secs,
              o.clients, exp.c_str());
  std::printf("  runs/s       %.0f   (2 requests per run: runs/create + log-batch)\n", rps);
  std::printf("  matching filter (acc > 0.9 and lr = 0.01): %ld\n", matching.load());
  print_latency("request", ls);
  std::printf("  errors       %ld   reconnects %ld\n", st.errors, st.reconnects);
  print_errors(st);
  std::printf("RESULT mode=populate label=%s clients=%d seconds=%.2f runs=%ld runs_per_s=%.0f matching=%ld "
              "errors=%ld experiment_id=%s\n",
              o.label.empty() ? "-" : o.label.c_str(), o.clients, secs, done.load(), rps, matching.load(), st.errors,
              exp.c_str());
  return done.load() == o.runs ? 0 : 1;
}

// ---------------------------------------------------------------------------------------------
// search: the same SearchRuns request repeated; latency percentiles, with a check of each answer.

int mode_search(const Options& o) {
  if (o.experiment_id.empty()) die("search needs --experiment-id (an experiment filled by `populate`)");
  Stats st;
  st.max_samples = o.max_error_samples;
  const char* path = "/api/2.0/mlflow/runs/search";
  std::string body = json{{"experiment_ids", json::array({o.experiment_id})},
                          {"filter", "metrics.acc > 0.9 AND params.lr = '0.01'"},
                          {"order_by", json::array({"metrics.acc DESC"})},
                          {"max_results", 100}}
                         .dump();
  long result_count = -1;
  // The warm-up answer also gives the result size every later answer must have.
  auto warm = [&](const Response& r) {
    try {
      result_count = static_cast<long>(json::parse(r.body).value("runs", json::array()).size());
    } catch (...) {
    }
  };
  // Every answer: result_count runs, each matching the filter, acc descending.
  auto check = [&](const Response& r) {
    std::string why;
    try {
      json j = json::parse(r.body);
      const json& runs = j.value("runs", json::array());
      double prev = INFINITY;
      if (static_cast<long>(runs.size()) != result_count) why = "result size changed";
      for (const json& run : runs) {
        double acc = NAN;
        std::string lr;
        for (const json& m : run.at("data").value("metrics", json::array()))
          if (m.at("key") == "acc") acc = m.at("value").get<double>();
        for (const json& p : run.at("data").value("params", json::array()))
          if (p.at("key") == "lr") lr = p.at("value").get<std::string>();
        if (!(acc > 0.9) || lr != "0.01") { why = "run does not match the filter"; break; }
        if (acc > prev) { why = "not ordered by metrics.acc DESC"; break; }
        prev = acc;
      }
    } catch (const std::exception& e) {
      why = std::string("unparseable response: ") + e.what();
    }
    return why;
  };
  CheckedResult res = checked_loop(o, st, path, body, warm, check);
  double secs = res.seconds;
  auto ls = summarize(st.lat_ms);
  std::printf("search: %ld request(s), %d client(s), %.1f s, experiment %s, %ld runs per answer\n", st.ok,
              o.clients, secs, o.experiment_id.c_str(), result_count);
  std::printf("  request      %s\n", body.c_str());
  print_latency("runs/search", ls);
  std::printf("  requests/s   %.1f\n", static_cast<double>(st.ok) / secs);
  std::printf("  errors       %ld   wrong answers %ld   reconnects %ld\n", st.errors, res.wrong, st.reconnects);
  if (!res.first_wrong.empty()) std::printf("  first wrong answer: %s\n", res.first_wrong.c_str());
  print_errors(st);
  std::printf("RESULT mode=search label=%s clients=%d requests=%ld seconds=%.2f p50_ms=%.2f p99_ms=%.2f "
              "mean_ms=%.2f results=%ld errors=%ld wrong=%ld experiment_id=%s\n",
              o.label.empty() ? "-" : o.label.c_str(), o.clients, st.ok, secs, ls.p50, ls.p99, ls.mean, result_count,
              st.errors, res.wrong, o.experiment_id.c_str());
  return 0;
}

// ---------------------------------------------------------------------------------------------
// wait: poll GET /health until it answers 200 (bounded by --seconds).

int mode_wait(const Options& o) {
  auto t0 = Clock::now();
  std::string last;
  while (ms_since(t0) < o.seconds * 1000.0) {
    Conn c(o.host, o.port);
    Response r = c.request("GET", "/health", "");
    if (r.status == 200) {
      std::printf("server up after %.1f s\n", ms_since(t0) / 1000.0);
      return 0;
    }
    last = r.status ? std::to_string(r.status) + " " + r.body.substr(0, 200) : r.error;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  std::fprintf(stderr, "server not healthy after %.0f s (last: %s)\n", o.seconds, last.c_str());
  return 1;
}

}  // namespace
}  // namespace loadgen

int main(int argc, char** argv) {
  using namespace loadgen;
  Options o = parse_args(argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  int rc;
  if (o.mode == "ingest") rc = mode_ingest(o);
  else if (o.mode == "create-runs") rc = mode_create_runs(o);
  else if (o.mode == "populate") rc = mode_populate(o);
  else if (o.mode == "search") rc = mode_search(o);
  else if (o.mode == "otlp") rc = mode_otlp(o);
  else if (o.mode == "start-traces") rc = mode_start_traces(o);
  else if (o.mode == "seed-traces") rc = mode_seed_traces(o);
  else if (o.mode == "search-traces") rc = mode_search_traces(o);
  else if (o.mode == "big-trace") rc = mode_big_trace(o);
  else if (o.mode == "get-trace") rc = mode_get_trace(o);
  else if (o.mode == "wait") return mode_wait(o);
  else die("unknown mode " + o.mode);
  // The load generator's own CPU time, so that run.sh can tell how busy the rest of the machine was.
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
               static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  std::printf("RESULT-CPU client_cpu_s=%.2f\n", cpu);
  return rc;
}
