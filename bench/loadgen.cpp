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
//   loadgen wait        --url U [--seconds S]          (polls GET /health until 200)
//
// Every mode prints a human-readable report and one final line `RESULT key=value ...` for scripts.
// Any non-2xx response (or transport failure) counts as an error; the first few are printed with
// request and response.

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

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
};

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "loadgen: %s\n", msg.c_str());
  std::exit(2);
}

void parse_url(const std::string& url, Options& o) {
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

Options parse_args(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: loadgen {ingest|create-runs|populate|search|wait} [--url http://127.0.0.1:5000]\n"
                 "  [--clients N] [--seconds S] [--runs R] [--iterations N] [--batch B]\n"
                 "  [--experiment-id E] [--max-seconds S] [--label TEXT]\n");
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
    else die("unknown option " + a);
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// A minimal blocking HTTP/1.1 client with keep-alive.

struct Response {
  int status = 0;  // 0 = transport failure
  std::string body;
  std::string error;  // transport error text
};

class Conn {
 public:
  Conn(std::string host, int port) : host_(std::move(host)), port_(port) {}
  ~Conn() { close_fd(); }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  long reconnects() const { return reconnects_; }

  Response request(std::string_view method, std::string_view path, std::string_view body) {
    // One retry only for a stale keep-alive connection: a reused connection that fails within
    // kStaleMs of sending, before any response byte (the server had closed it while idle). A
    // connection dropped later, while the server was working on the request, is an error.
    constexpr double kStaleMs = 250;
    for (int attempt = 0; attempt < 2; ++attempt) {
      bool fresh = false;
      if (fd_ < 0) {
        std::string err;
        if (!open(err)) return Response{0, {}, "connect: " + err};
        fresh = true;
      }
      bool got_any = false;
      auto t0 = std::chrono::steady_clock::now();
      Response r = exchange(method, path, body, got_any);
      if (r.status != 0 || got_any) return r;
      double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      if (fresh || ms >= kStaleMs) {
        char tmp[96];
        std::snprintf(tmp, sizeof tmp, " (%.0f ms after the request was sent, no response)", ms);
        r.error += tmp;
        return r;
      }
      close_fd();
      ++reconnects_;
    }
    return Response{0, {}, "connection closed twice"};
  }

 private:
  bool open(std::string& err) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) { err = std::strerror(errno); return false; }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval tv{120, 0};  // bound every read/write: a hung server ends the run, not the machine
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    ::inet_pton(AF_INET, host_.c_str(), &addr.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      err = std::strerror(errno);
      close_fd();
      return false;
    }
    buf_.clear();
    return true;
  }
  void close_fd() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buf_.clear();
  }

  bool send_all(const char* p, size_t n) {
    while (n > 0) {
      ssize_t w = ::send(fd_, p, n, MSG_NOSIGNAL);
      if (w < 0) { if (errno == EINTR) continue; return false; }
      p += w; n -= static_cast<size_t>(w);
    }
    return true;
  }
  // Appends to buf_; returns bytes read, 0 on EOF, -1 on error.
  ssize_t fill() {
    char tmp[65536];
    for (;;) {
      ssize_t r = ::recv(fd_, tmp, sizeof tmp, 0);
      if (r < 0 && errno == EINTR) continue;
      if (r > 0) buf_.append(tmp, static_cast<size_t>(r));
      return r;
    }
  }

  Response exchange(std::string_view method, std::string_view path, std::string_view body, bool& got_any) {
    std::string req;
    req.reserve(body.size() + 256);
    req.append(method).append(" ").append(path).append(" HTTP/1.1\r\nHost: ").append(host_)
        .append(":").append(std::to_string(port_))
        .append("\r\nUser-Agent: sextant-loadgen\r\nAccept: application/json\r\nConnection: keep-alive\r\n");
    // LOADGEN_AUTHORIZATION="Bearer <token>" measures a server with authentication on.
    static const char* const authorization = std::getenv("LOADGEN_AUTHORIZATION");
    if (authorization && *authorization) req.append("Authorization: ").append(authorization).append("\r\n");
    if (method != "GET") {
      req.append("Content-Type: application/json\r\nContent-Length: ").append(std::to_string(body.size()))
          .append("\r\n");
    }
    req.append("\r\n");
    if (method != "GET") req.append(body);
    if (!send_all(req.data(), req.size())) {
      close_fd();
      return Response{0, {}, std::string("send: ") + std::strerror(errno)};
    }
    // Headers.
    size_t hdr_end;
    while ((hdr_end = buf_.find("\r\n\r\n")) == std::string::npos) {
      ssize_t r = fill();
      if (r <= 0) {
        std::string e = r == 0 ? "connection closed by server" : std::string("recv: ") + std::strerror(errno);
        close_fd();
        return Response{0, {}, e};
      }
      got_any = true;
    }
    got_any = true;
    Response resp;
    std::string_view head(buf_.data(), hdr_end);
    // Status line: HTTP/1.1 200 OK
    auto sp = head.find(' ');
    if (sp == std::string_view::npos) { close_fd(); return Response{0, {}, "bad status line"}; }
    resp.status = std::atoi(std::string(head.substr(sp + 1, 3)).c_str());
    long content_length = -1;
    bool chunked = false, close_after = false;
    size_t pos = head.find("\r\n");
    while (pos != std::string_view::npos && pos < head.size()) {
      size_t next = head.find("\r\n", pos + 2);
      std::string_view line = head.substr(pos + 2, (next == std::string_view::npos ? head.size() : next) - pos - 2);
      auto colon = line.find(':');
      if (colon != std::string_view::npos) {
        std::string name(line.substr(0, colon));
        std::transform(name.begin(), name.end(), name.begin(), ::tolower);
        std::string_view v = line.substr(colon + 1);
        while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
        std::string value(v);
        std::transform(value.begin(), value.end(), value.begin(), ::tolower);
        if (name == "content-length") content_length = std::atol(value.c_str());
        else if (name == "transfer-encoding" && value.find("chunked") != std::string::npos) chunked = true;
        else if (name == "connection" && value.find("close") != std::string::npos) close_after = true;
      }
      pos = next;
    }
    buf_.erase(0, hdr_end + 4);
    if (resp.status == 204 || resp.status == 304 || resp.status / 100 == 1 || method == "HEAD") {
      // No body by definition.
    } else if (chunked) {
      for (;;) {
        size_t le;
        while ((le = buf_.find("\r\n")) == std::string::npos)
          if (fill() <= 0) { close_fd(); return Response{0, {}, "eof in chunk header"}; }
        long n = std::strtol(buf_.substr(0, le).c_str(), nullptr, 16);
        buf_.erase(0, le + 2);
        if (n == 0) {
          // Trailers end with an empty line.
          size_t te;
          while ((te = buf_.find("\r\n")) == std::string::npos)
            if (fill() <= 0) { close_fd(); return Response{0, {}, "eof in trailer"}; }
          while (te != 0) {
            buf_.erase(0, te + 2);
            while ((te = buf_.find("\r\n")) == std::string::npos)
              if (fill() <= 0) { close_fd(); return Response{0, {}, "eof in trailer"}; }
          }
          buf_.erase(0, 2);
          break;
        }
        while (buf_.size() < static_cast<size_t>(n) + 2)
          if (fill() <= 0) { close_fd(); return Response{0, {}, "eof in chunk"}; }
        resp.body.append(buf_, 0, static_cast<size_t>(n));
        buf_.erase(0, static_cast<size_t>(n) + 2);
      }
    } else if (content_length >= 0) {
      while (buf_.size() < static_cast<size_t>(content_length))
        if (fill() <= 0) { close_fd(); return Response{0, {}, "eof in body"}; }
      resp.body.assign(buf_, 0, static_cast<size_t>(content_length));
      buf_.erase(0, static_cast<size_t>(content_length));
    } else {
      // No length: body runs to EOF.
      while (fill() > 0) {}
      resp.body = std::move(buf_);
      close_after = true;
    }
    if (close_after) close_fd();
    return resp;
  }

  std::string host_;
  int port_;
  int fd_ = -1;
  std::string buf_;
  long reconnects_ = 0;
};

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

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return NAN;
  size_t k = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size()))) ;
  if (k == 0) k = 1;
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k - 1), v.end());
  return v[k - 1];
}

struct LatencySummary { double p50, p90, p99, max, mean; };
LatencySummary summarize(std::vector<double> v) {
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

void print_errors(Stats& st) {
  if (st.errors == 0) return;
  std::printf("  errors by kind:\n");
  for (auto& [k, n] : st.error_kinds) std::printf("    %6ld  %s\n", n, k.c_str());
  std::printf("  first %zu error(s):\n", st.samples.size());
  for (auto& s : st.samples) std::printf("  - %s\n", s.c_str());
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

void append_double(std::string& s, double v) {
  char tmp[32];
  auto [p, ec] = std::to_chars(tmp, tmp + sizeof tmp, v);
  s.append(tmp, p);
}
void append_int(std::string& s, int64_t v) {
  char tmp[24];
  auto [p, ec] = std::to_chars(tmp, tmp + sizeof tmp, v);
  s.append(tmp, p);
}

// A small sequence of requests used by the setup steps.
std::optional<std::string> create_experiment(Conn& c, const std::string& prefix, Stats* st) {
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

std::string create_run_body(const std::string& exp_id) {
  std::string b = "{\"experiment_id\":\"";
  b += exp_id;
  b += "\",\"start_time\":";
  append_int(b, now_ms());
  b += "}";
  return b;
}

std::optional<std::string> run_id_from(const Response& r) {
  try {
    return json::parse(r.body).at("run").at("info").at("run_id").get<std::string>();
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string ensure_experiment(const Options& o, Conn& c, const std::string& prefix, Stats& st) {
  if (!o.experiment_id.empty()) return o.experiment_id;
  auto e = create_experiment(c, prefix, &st);
  if (!e) {
    print_errors(st);
    die("could not create an experiment");
  }
  return *e;
}

void print_latency(const char* what, const LatencySummary& s) {
  std::printf("  %-12s p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms  mean %.2f ms\n", what, s.p50, s.p90,
              s.p99, s.max, s.mean);
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
  auto t0 = Clock::now();
  auto deadline = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
  std::atomic<long> bad_body{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < o.clients; ++i) {
    threads.emplace_back([&] {
      Conn c(o.host, o.port);
      std::vector<double> lat;
      long ok = 0;
      while (Clock::now() < deadline) {
        std::string body = create_run_body(exp);
        auto rt = Clock::now();
        Response r = c.request("POST", path, body);
        double ms = ms_since(rt);
        if (r.status / 100 == 2) {
          lat.push_back(ms);
          ++ok;
          // Cheap sanity check rather than a full parse on every call.
          if (r.body.find("\"run_id\"") == std::string::npos) ++bad_body;
        } else {
          st.error(path, body, r);
          if (r.status == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
      }
      st.merge(lat, ok, c.reconnects());
    });
  }
  for (auto& t : threads) t.join();
  double secs = ms_since(t0) / 1000.0;
  auto ls = summarize(st.lat_ms);
  double rps = static_cast<double>(st.ok) / secs;
  std::printf("create-runs: %d client(s), %.1f s, experiment %s\n", o.clients, secs, exp.c_str());
  std::printf("  runs/s       %.0f   (%ld runs)\n", rps, st.ok);
  print_latency("runs/create", ls);
  std::printf("  errors       %ld   reconnects %ld   2xx without run_id %ld\n", st.errors, st.reconnects,
              bad_body.load());
  print_errors(st);
  std::printf("RESULT mode=create-runs label=%s clients=%d seconds=%.2f runs=%ld runs_per_s=%.0f p50_ms=%.2f "
              "p99_ms=%.2f errors=%ld experiment_id=%s\n",
              o.label.empty() ? "-" : o.label.c_str(), o.clients, secs, st.ok, rps, ls.p50, ls.p99,
              st.errors + bad_body.load(), exp.c_str());
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
  std::atomic<long> next{0}, done{0}, matching{0};
  auto t0 = Clock::now();
  std::optional<Clock::time_point> deadline;
  if (o.max_seconds > 0)
    deadline = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.max_seconds));
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < o.clients; ++i) {
    threads.emplace_back([&, i] {
      Conn c(o.host, o.port);
      std::mt19937_64 rng(static_cast<uint64_t>(i) * 104729 + 3);
      std::uniform_real_distribution<double> dist(0.0, 1.0);
      std::vector<double> lat;
      long ok = 0;
      for (;;) {
        if (stop.load(std::memory_order_relaxed)) break;
        if (deadline && Clock::now() >= *deadline) break;
        long n = next.fetch_add(1);
        if (n >= o.runs) break;
        std::string body = create_run_body(exp);
        auto rt = Clock::now();
        Response r = c.request("POST", create_path, body);
        lat.push_back(ms_since(rt));
        auto id = r.status / 100 == 2 ? run_id_from(r) : std::nullopt;
        if (!id) {
          st.error(create_path, body, r);
          if (st.errors > 1000) stop = true;  // the server is broken; do not hammer it for minutes
          continue;
        }
        ++ok;
        double acc = dist(rng);
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
          if (st.errors > 1000) stop = true;
          continue;
        }
        ++ok;
        if (acc > 0.9 && std::strcmp(lr, "0.01") == 0) ++matching;
        long d = ++done;
        if (d % 10000 == 0) {
          std::printf("  ... %ld runs (%.0f runs/s)\n", d, static_cast<double>(d) / (ms_since(t0) / 1000.0));
          std::fflush(stdout);
        }
      }
      st.merge(lat, ok, c.reconnects());
    });
  }
  for (auto& t : threads) t.join();
  double secs = ms_since(t0) / 1000.0;
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
  std::atomic<long> next{0};
  std::atomic<long> wrong{0};
  std::mutex first_mu;
  std::string first_wrong;
  long result_count = -1;
  // One untimed warm-up request (connection set-up, server caches), also used to report the result size.
  {
    Conn c(o.host, o.port);
    Response r = c.request("POST", path, body);
    if (r.status / 100 != 2) {
      st.error(path, body, r);
      print_errors(st);
      die("warm-up search failed");
    }
    try {
      result_count = static_cast<long>(json::parse(r.body).value("runs", json::array()).size());
    } catch (...) {
    }
  }
  auto t0 = Clock::now();
  std::optional<Clock::time_point> deadline;
  if (o.max_seconds > 0)
    deadline = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.max_seconds));
  std::vector<std::thread> threads;
  for (int i = 0; i < o.clients; ++i) {
    threads.emplace_back([&] {
      Conn c(o.host, o.port);
      std::vector<double> lat;
      long ok = 0;
      for (;;) {
        if (deadline && Clock::now() >= *deadline) break;
        if (next.fetch_add(1) >= o.iterations) break;
        auto rt = Clock::now();
        Response r = c.request("POST", path, body);
        double ms = ms_since(rt);
        if (r.status / 100 != 2) {
          st.error(path, body, r);
          continue;
        }
        lat.push_back(ms);
        ++ok;
        // Verify the answer (outside the timed section): 100 runs, each matching, acc descending.
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
        if (!why.empty()) {
          ++wrong;
          std::lock_guard g(first_mu);
          if (first_wrong.empty()) first_wrong = why + ": " + r.body.substr(0, 400);
        }
      }
      st.merge(lat, ok, c.reconnects());
    });
  }
  for (auto& t : threads) t.join();
  double secs = ms_since(t0) / 1000.0;
  auto ls = summarize(st.lat_ms);
  std::printf("search: %ld request(s), %d client(s), %.1f s, experiment %s, %ld runs per answer\n", st.ok,
              o.clients, secs, o.experiment_id.c_str(), result_count);
  std::printf("  request      %s\n", body.c_str());
  print_latency("runs/search", ls);
  std::printf("  requests/s   %.1f\n", static_cast<double>(st.ok) / secs);
  std::printf("  errors       %ld   wrong answers %ld   reconnects %ld\n", st.errors, wrong.load(), st.reconnects);
  if (!first_wrong.empty()) std::printf("  first wrong answer: %s\n", first_wrong.c_str());
  print_errors(st);
  std::printf("RESULT mode=search label=%s clients=%d requests=%ld seconds=%.2f p50_ms=%.2f p99_ms=%.2f "
              "mean_ms=%.2f results=%ld errors=%ld wrong=%ld experiment_id=%s\n",
              o.label.empty() ? "-" : o.label.c_str(), o.clients, st.ok, secs, ls.p50, ls.p99, ls.mean, result_count,
              st.errors, wrong.load(), o.experiment_id.c_str());
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

int main(int argc, char** argv) {
  Options o = parse_args(argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  int rc;
  if (o.mode == "ingest") rc = mode_ingest(o);
  else if (o.mode == "create-runs") rc = mode_create_runs(o);
  else if (o.mode == "populate") rc = mode_populate(o);
  else if (o.mode == "search") rc = mode_search(o);
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
