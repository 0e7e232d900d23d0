#include "http/server.hpp"

#include <sys/socket.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <list>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

#include "core/error.hpp"
#include "http/beast_pch.hpp"
#include "http/body_reader.hpp"
#include "http/connection.hpp"
#include "http/connection_slots.hpp"
#include "http/error_response.hpp"
#include "http/request_framing.hpp"
#include "http/request_target.hpp"
#include "http/response_writer.hpp"
#include "http/transfer_budget.hpp"
#include "util/json_lines.hpp"
#include "util/prometheus.hpp"
#include "util/random_id.hpp"
#include "util/time.hpp"
#include "util/strings.hpp"
#include "util/url.hpp"

namespace sextant::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// How long and how much a closing connection reads of what the client still sends (so that the
// kernel does not answer it with a reset that could destroy our response before it is read).
constexpr std::int64_t kLingerMs = 2000;
constexpr std::size_t kLingerBytes = 1024 * 1024;
// While the server is full, a request head arriving for longer than this may be cut for a newcomer.
constexpr std::int64_t kSlowHeaderMs = 1000;
constexpr std::chrono::milliseconds kHousekeepingPeriod{100};

// An incoming X-Request-Id is kept when it is 1-128 characters of [A-Za-z0-9._:-].
bool sane_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == ':')) return false;
  return true;
}

// The server's metric families (process-wide registry).
struct HttpMetrics {
  util::prom::Family<util::prom::Counter>& requests = util::prom::Registry::global().counter(
      "sextant_http_requests_total", "HTTP requests by method, route and status", {"method", "route", "status"});
  util::prom::Family<util::prom::Histogram>& duration = util::prom::Registry::global().histogram(
      "sextant_http_request_duration_seconds", "Time from the request header to the end of the response",
      {"method", "route"}, util::prom::latency_buckets());
  util::prom::Gauge& in_flight =
      util::prom::Registry::global().gauge("sextant_http_requests_in_flight", "Requests being handled").with({});
  util::prom::Gauge& connections =
      util::prom::Registry::global().gauge("sextant_http_connections", "Open client connections").with({});
  util::prom::Family<util::prom::Counter>& artifact_bytes = util::prom::Registry::global().counter(
      "sextant_artifact_bytes_total", "Artifact bytes streamed through the server", {"direction"});
  util::prom::Family<util::prom::Counter>& timeouts = util::prom::Registry::global().counter(
      "sextant_http_timeouts_total",
      "Connections closed because a socket operation passed its deadline, by phase (idle, header, body, write)",
      {"phase"});
  util::prom::Family<util::prom::Counter>& refused = util::prom::Registry::global().counter(
      "sextant_http_connections_refused_total", "Connections answered 503 at accept, by the limit reached",
      {"limit"});
  util::prom::Family<util::prom::Counter>& evicted = util::prom::Registry::global().counter(
      "sextant_http_connections_evicted_total", "Connections closed to make room for a new one while full",
      {"phase"});
};

std::string method_name(bhttp::verb v) { return std::string(bhttp::to_string(v)); }

// The values of every `name` field line, in order.
std::vector<std::string_view> field_values(const RequestParser::value_type& req, bhttp::field name) {
  std::vector<std::string_view> out;
  auto [first, last] = req.equal_range(name);
  for (auto it = first; it != last; ++it) out.emplace_back(it->value().data(), it->value().size());
  return out;
}

// Beast's verdict on a head it could not parse: a complaint about the message (answered) rather
// than about the connection (closed without an answer).
bool malformed_message(const beast::error_code& ec) {
  if (ec.category() != bhttp::make_error_code(bhttp::error::end_of_stream).category()) return false;
  return ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message && ec != bhttp::error::need_buffer &&
         ec != bhttp::error::need_more;
}

}  // namespace

struct Server::Impl {
  const api::Router& router;
  ServerOptions options;
  auth::Gate* gate = nullptr;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::atomic<bool> stopping{false};

  HttpMetrics metrics;
  std::unique_ptr<util::JsonLines> access_log;

  // Connections (guarded by `mutex`): the list holds every connection whose thread has not been
  // joined; `slots` counts those that are open.
  std::mutex mutex;
  std::list<std::unique_ptr<Connection>> connections;
  ConnectionSlots slots;
  // Closing sockets (answered, shut for sending) read until the client closes or kLingerMs pass.
  struct Lingering {
    tcp::socket socket;
    std::int64_t until_ms;
    std::size_t drained = 0;
  };
  std::list<Lingering> lingering;
  std::condition_variable keeper_wake;

  Impl(const api::Router& r, ServerOptions o, auth::Gate* g)
      : router(r),
        options(std::move(o)),
        gate(g),
        slots(options.max_connections, options.max_connections_per_address
                                           ? options.max_connections_per_address
                                           : std::max<std::size_t>(1, options.max_connections / 4)) {
    if (!options.access_log.empty()) access_log = std::make_unique<util::JsonLines>(options.access_log);
  }

  static std::string header(const RequestParser::value_type& req, std::string_view name) {
    auto it = req.find(boost::string_view(name.data(), name.size()));
    return it == req.end() ? std::string() : std::string(it->value());
  }

  TransferBudget write_budget() const {
    return TransferBudget(options.write_timeout_seconds * 1000LL, options.min_transfer_rate);
  }

  // ---- One connection -----------------------------------------------------------------------

  // What a finished request leaves for the connection.
  enum class Next { KeepAlive, Close, CloseLingering };

  void serve(Connection& conn) {
    beast::flat_buffer buffer;
    Next next = Next::Close;
    while (!stopping.load()) {
      if (buffer.size() == 0 && !conn.wait_readable(steady_ms() + options.idle_timeout_seconds * 1000LL)) {
        next = Next::Close;
        break;
      }
      next = serve_request(conn, buffer);
      if (next != Next::KeepAlive) break;
    }
    close(conn, next == Next::CloseLingering);
  }

  // Reads one request head and answers it.
  Next serve_request(Connection& conn, beast::flat_buffer& buffer) {
    auto head_started = steady_ms();
    conn.enter(Phase::Header, head_started);
    RequestParser parser;
    parser.body_limit(boost::none);
    parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
    beast::error_code ec;
    conn.arm(Phase::Header, head_started + options.header_timeout_seconds * 1000LL);
    bhttp::read_header(conn.socket, buffer, parser, ec);
    conn.disarm();
    if (ec) {
      Exchange ex(*this, conn, parser);
      if (conn.timed_out.load() == Phase::Header) {
        return ex.refuse(error_response(408, "BAD_REQUEST", "The request head did not arrive in time."));
      }
      if (ec == bhttp::error::header_limit) {
        return ex.refuse(error_response(431, "BAD_REQUEST",
                                        "The request head is larger than the server's limit of " +
                                            std::to_string(options.max_header_bytes) + " bytes."));
      }
      if (malformed_message(ec)) {
        return ex.refuse(error_response(400, "BAD_REQUEST", "Malformed request: " + ec.message()));
      }
      return Next::Close;  // the client went away before sending a request
    }
    Exchange ex(*this, conn, parser);
    try {
      return ex.run(buffer);
    } catch (const std::exception& e) {
      // Last resort: a request never ends without an answer and a log line.
      return ex.refuse(error_response(500, "INTERNAL_ERROR", std::string("Internal error: ") + e.what()));
    }
  }

  // One request on a connection, from its parsed head to the logged response.
  class Exchange {
   public:
    Exchange(Impl& impl, Connection& conn, RequestParser& parser)
        : impl_(impl), conn_(conn), parser_(parser), started_(Clock::now()) {
      const auto& h = parser.get();
      std::string id = header(h, "X-Request-Id");
      request_id_ = sane_request_id(id) ? id : util::uuid4_hex();
      version_ = h.version() == 10 ? 10 : 11;
      std::string_view target(h.target().data(), h.target().size());
      req_.method = method_name(h.method());  // "<unknown>" for others (bounded metric labels)
      req_.path = std::string(target.substr(0, target.find('?')));  // raw until decoded
      req_.remote_address = conn.peer;
    }

    // Answers with `res` and closes (after reading what the client still sends).
    Next refuse(api::ApiResponse res) {
      finish(std::move(res), false);
      return Next::CloseLingering;
    }

    Next run(beast::flat_buffer& buffer) {
      auto& impl = impl_;
      auto& hreq = parser_.get();
      bool head = hreq.method() == bhttp::verb::head;

      FramingFields framing{version_, field_values(hreq, bhttp::field::transfer_encoding),
                            field_values(hreq, bhttp::field::content_length), field_values(hreq, bhttp::field::host)};
      auto verdict = check_framing(framing);
      if (verdict.ok() && !framing.transfer_encoding.empty() && !parser_.chunked()) {
        verdict = FramingVerdict{400, "Transfer-Encoding must end with chunked."};
      }
      if (!verdict.ok()) {
        auto code = verdict.status == 501 ? "NOT_IMPLEMENTED" : "BAD_REQUEST";
        return refuse(error_response(verdict.status, code, verdict.message));
      }

      std::string_view target(hreq.target().data(), hreq.target().size());
      auto q = target.find('?');
      auto path = decode_path(target.substr(0, q));
      if (!path) {
        return refuse(error_response(400, "INVALID_PARAMETER_VALUE",
                                 "The request path is not valid: a malformed percent-escape or invalid UTF-8."));
      }
      req_.path = std::move(*path);
      if (q != std::string_view::npos) req_.query = util::parse_query(target.substr(q + 1));
      for (const auto& [k, v] : req_.query) {
        if (!util::valid_utf8(k) || !util::valid_utf8(v)) {
          return refuse(error_response(400, "INVALID_PARAMETER_VALUE", "The query string is not valid UTF-8."));
        }
      }
      if (auto it = hreq.find(bhttp::field::content_type); it != hreq.end()) {
        req_.has_content_type = true;
        req_.content_type = std::string(it->value());
      }
      keep_alive_ = hreq.keep_alive();
      req_.remote_address =
          impl.gate ? impl.gate->client_address(conn_.peer, header(hreq, "X-Forwarded-For")) : conn_.peer;
      req_.host = header(hreq, "Host");
      req_.cookie = header(hreq, "Cookie");
      req_.range = header(hreq, "Range");
      req_.accept_encoding = header(hreq, "Accept-Encoding");
      req_.content_encoding = header(hreq, "Content-Encoding");
      if (auto it = hreq.find("x-mlflow-experiment-id"); it != hreq.end()) req_.mlflow_experiment_id = std::string(it->value());
      match_ = impl.router.match(req_.method, req_.path);
      if (!match_.merged_path.empty()) req_.path = std::move(match_.merged_path);  // auth and handlers see it
      routed_ = true;

      // Authentication before anything is read or 100-continue is promised. Unknown paths need
      // an authenticated caller too (anonymous callers cannot probe which routes exist).
      std::optional<api::ApiResponse> refused;
      if (impl.gate) {
        auth::RequestCredentials creds;
        creds.method = req_.method == "HEAD" ? "GET" : req_.method;
        creds.path = req_.path;
        creds.authorization = header(hreq, "Authorization");
        creds.cookie = req_.cookie;
        creds.remote_address = conn_.peer;
        creds.client_address = req_.remote_address;
        creds.host = req_.host;
        creds.origin = header(hreq, "Origin");
        creds.sec_fetch_site = header(hreq, "Sec-Fetch-Site");
        creds.content_type = req_.content_type;
        creds.accept = header(hreq, "Accept");
        creds.forwarded_email = header(hreq, "X-Forwarded-Email");
        creds.forwarded_user = header(hreq, "X-Forwarded-User");
        creds.forwarded_groups = header(hreq, "X-Forwarded-Groups");
        creds.counts = {hreq.count(bhttp::field::host), hreq.count(bhttp::field::authorization),
                        hreq.count("X-Forwarded-Email"), hreq.count("X-Forwarded-User"),
                        hreq.count("X-Forwarded-Groups")};
        // A body is announced by chunking or a Content-Length other than zero (check_framing has
        // refused repeated or malformed lengths by now).
        auto lengths = field_values(hreq, bhttp::field::content_length);
        creds.has_body = parser_.chunked() ||
                         (!lengths.empty() && lengths.front().find_first_not_of('0') != std::string_view::npos);
        bool found = match_.kind == api::Router::Match::Kind::Found;
        auto policy = found ? match_.route->policy : auth::Policy::Authenticated;
        auto outcome = impl.gate->check(creds, policy, found && match_.route->streaming_body);
        if (outcome.allowed) {
          req_.principal = std::move(outcome.principal);
        } else {
          api::ApiResponse r;
          r.status = outcome.status;
          r.content_type = outcome.content_type;
          r.body = std::move(outcome.body);
          r.headers = std::move(outcome.headers);
          refused = std::move(r);
        }
      }
      bool expect_continue = false;
      if (auto it = hreq.find(bhttp::field::expect); it != hreq.end() && beast::iequals(it->value(), "100-continue")) {
        expect_continue = version_ >= 11;
      }
      if (expect_continue && !refused) {
        bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, hreq.version()};
        bhttp::response_serializer<bhttp::empty_body> sr{cont};
        auto budget = impl.write_budget();
        if (!conn_.write_out(sr, budget)) return Next::Close;
      }

      BodyReader body(conn_, buffer, parser_,
                      TransferBudget(impl.options.body_timeout_seconds * 1000LL, impl.options.min_transfer_rate));
      api::ApiResponse res;
      bool body_ok = true;
      if (refused) {
        // The client was not told to continue: close instead of reading a body it may not send.
        body_ok = expect_continue ? false : body.drain(1024 * 1024);
        res = std::move(*refused);
      } else if (match_.kind == api::Router::Match::Kind::NotFound) {
        body_ok = body.drain(impl.options.max_body_bytes);
        res = api::ApiResponse::text("<!doctype html><title>404 Not Found</title><h1>Not Found</h1>", 404,
                                     "text/html; charset=utf-8");
      } else if (match_.kind == api::Router::Match::Kind::MethodNotAllowed) {
        body_ok = body.drain(impl.options.max_body_bytes);
        res = api::ApiResponse::text("<!doctype html><title>405 Method Not Allowed</title><h1>Method Not Allowed</h1>",
                                     405, "text/html; charset=utf-8");
      } else {
        req_.route_tail = std::move(match_.tail);
        req_.path_params = std::move(match_.params);
        if (match_.route->streaming_body) {
          req_.body_stream = &body;
          res = handle();
          if (!body.failed()) body_ok = body.drain(impl.options.max_body_bytes);
          if (body.bytes()) impl.metrics.artifact_bytes.with({"upload"}).inc(static_cast<double>(body.bytes()));
        } else {
          std::string text;
          char chunk[65536];
          bool too_large = false;
          try {
            while (std::size_t n = body.read(chunk, sizeof(chunk))) {
              text.append(chunk, n);
              if (text.size() > impl.options.max_body_bytes) {
                too_large = true;
                break;
              }
            }
          } catch (const core::MlflowError&) {
          }
          if (body.failed()) {
            body_ok = false;
          } else if (too_large) {
            res = error_response(413, "RESOURCE_EXHAUSTED", "Request body is larger than the server's limit.");
            body_ok = false;
          } else {
            req_.body = std::move(text);
            res = handle();
          }
        }
      }
      if (body.failed()) {
        res = body.failure_response();
        body_ok = false;
      }
      if (!body_ok) keep_alive_ = false;
      if (!finish(std::move(res), head)) return Next::Close;
      if (!body_ok) return Next::CloseLingering;
      return keep_alive_ ? Next::KeepAlive : Next::Close;
    }

   private:
    api::ApiResponse handle() {
      conn_.enter(Phase::Handler, steady_ms());
      struct InFlight {
        util::prom::Gauge& gauge;
        explicit InFlight(util::prom::Gauge& g) : gauge(g) { gauge.add(1); }
        ~InFlight() { gauge.add(-1); }
        InFlight(const InFlight&) = delete;
        InFlight& operator=(const InFlight&) = delete;
      } in_flight(impl_.metrics.in_flight);
      return api::invoke(*match_.route, req_);
    }

    // Writes the response and logs it; false when it could not be written whole.
    bool finish(api::ApiResponse res, bool head) {
      if (impl_.stopping.load()) keep_alive_ = false;
      // An HTTP/1.0 body of unknown length ends where the connection does.
      if (res.stream && res.stream->unknown_length && version_ < 11) keep_alive_ = false;
      res.headers.emplace_back("X-Request-Id", request_id_);
      conn_.enter(Phase::Write, steady_ms());
      std::string error = res.status >= 500 && !res.file && !res.stream ? res.body.substr(0, 1000) : std::string();
      Sent sent;
      bool written = write_response(conn_, res, version_, keep_alive_, head, impl_.write_budget(), sent);
      std::string route = !routed_                                         ? "(malformed)"
                          : match_.kind == api::Router::Match::Kind::Found ? match_.route->name
                                                                           : "(unmatched)";
      impl_.record(req_, res.status, route, request_id_, started_, sent, written, conn_.timed_out.load(), error);
      return written;
    }

    Impl& impl_;
    Connection& conn_;
    RequestParser& parser_;
    Clock::time_point started_;
    std::string request_id_;
    unsigned version_ = 11;
    bool keep_alive_ = false;
    bool routed_ = false;  // false: refused before routing (the head or its framing)
    api::ApiRequest req_;
    api::Router::Match match_;
  };

  // Ends the connection's thread: gives its slot back and closes. With `lingering` (the client
  // may still be sending what we did not read), the socket is only shut for sending and handed to
  // the housekeeper, which reads and discards until the client closes or kLingerMs pass, so that
  // the kernel does not answer with a reset that could destroy our response before it is read.
  // Otherwise the socket is shut down here and closed when the housekeeper reaps the connection
  // (its descriptor is never reused while the housekeeper may still shut it down).
  void close(Connection& conn, bool lingering) {
    beast::error_code ec;
    // A client that does not read: drop what it did not take instead of keeping it in the kernel.
    if (conn.timed_out.load() == Phase::Write) conn.socket.set_option(asio::socket_base::linger(true, 0), ec);
    conn.enter(Phase::None, steady_ms());
    std::lock_guard lock(mutex);
    release(conn);
    if (lingering && conn.timed_out.load() != Phase::Write) {
      conn.socket.shutdown(tcp::socket::shutdown_send, ec);
      if (linger(std::move(conn.socket))) return;
    }
    conn.socket.shutdown(tcp::socket::shutdown_both, ec);
  }

  // Hands a socket shut for sending to the housekeeper (see close()); false when too many are
  // lingering already (then the caller closes it at once). Caller holds `mutex`.
  bool linger(tcp::socket socket) {
    if (lingering.size() >= options.max_connections) return false;
    beast::error_code ec;
    socket.non_blocking(true, ec);
    lingering.push_back(Lingering{std::move(socket), steady_ms() + kLingerMs, 0});
    return true;
  }

  // Gives the connection's slot back (once). Caller holds `mutex`.
  void release(Connection& conn) {
    if (!conn.holds_slot) return;
    conn.holds_slot = false;
    slots.release(conn.peer, conn.capped);
    metrics.connections.set(static_cast<double>(slots.active()));
  }

  // Metrics and the access-log line of one answered (or, `written` false, failed) request;
  // `error`: the start of a 5xx body.
  void record(const api::ApiRequest& req, int status, const std::string& route, const std::string& request_id,
              Clock::time_point started, const Sent& sent, bool written, Phase timed_out, const std::string& error) {
    double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    metrics.requests.with({req.method, route, std::to_string(status)}).inc();
    metrics.duration.with({req.method, route}).observe(seconds);
    if (sent.download && sent.bytes) metrics.artifact_bytes.with({"download"}).inc(static_cast<double>(sent.bytes));
    if (!access_log) return;
    nlohmann::json line = {{"ts", util::now_ms()},
                           {"level", status >= 500 ? "error" : "info"},
                           {"msg", "request"},
                           {"request_id", request_id},
                           {"method", req.method},
                           {"path", req.path},
                           {"route", route},
                           {"status", status},
                           {"duration_ms", std::round(seconds * 100000.0) / 100.0},
                           {"bytes_out", sent.bytes},
                           {"remote", req.remote_address}};
    if (req.principal) line["user"] = req.principal->username;
    if (!written) line["aborted"] = true;
    if (timed_out != Phase::None) line["timeout"] = std::string(phase_name(timed_out));
    if (!error.empty()) line["error"] = error;
    access_log->write(line);
  }

  // A connection-level event without a request (refused at accept, closed to make room).
  void log_connection(std::string_view msg, int status, std::string_view reason, const std::string& remote) {
    if (!access_log) return;
    nlohmann::json line = {{"ts", util::now_ms()},         {"level", "warn"}, {"msg", std::string(msg)},
                           {"reason", std::string(reason)}, {"remote", remote}};
    if (status) line["status"] = status;
    access_log->write(line);
  }

  // ---- Accepting and housekeeping ----------------------------------------------------------

  // Admits a new connection (closing an idle one for it when the server is full) or refuses it
  // with 503.
  void admit(tcp::socket socket, const std::string& peer) {
    bool capped = !auth::address_in(options.uncapped_peers, peer);
    std::optional<EvictionCandidate::State> evicted;
    std::string evicted_peer;
    auto admission = ConnectionSlots::Admission::Full;
    {
      std::lock_guard lock(mutex);
      admission = slots.admit(peer, capped);
      if (admission == ConnectionSlots::Admission::Full && connections.size() < 2 * options.max_connections) {
        if (auto* victim = evict(evicted)) {
          evicted_peer = victim->peer;
          admission = slots.admit(peer, capped);
        }
      }
      if (admission == ConnectionSlots::Admission::Admitted) start(std::move(socket), peer, capped);
    }
    if (evicted) {
      bool idle = *evicted == EvictionCandidate::State::Idle;
      metrics.evicted.with({idle ? "idle" : "header"}).inc();
      log_connection("connection evicted", 0, idle ? "idle while the server is full" : "slow request head while full",
                     evicted_peer);
    }
    if (admission != ConnectionSlots::Admission::Admitted) {
      refuse(std::move(socket), peer, admission == ConnectionSlots::Admission::AddressFull);
    }
  }

  // Closes the open connection choose_eviction() picks, if any, and gives its slot back;
  // `state` receives what it was doing. Caller holds `mutex`.
  Connection* evict(std::optional<EvictionCandidate::State>& state) {
    std::vector<EvictionCandidate> open;
    std::vector<Connection*> which;
    for (auto& c : connections) {
      if (!c->holds_slot) continue;
      auto phase = c->phase.load();
      EvictionCandidate candidate;
      candidate.state = phase == Phase::Idle     ? EvictionCandidate::State::Idle
                        : phase == Phase::Header ? EvictionCandidate::State::ReadingHeader
                                                 : EvictionCandidate::State::Busy;
      candidate.since_ms = c->phase_since_ms.load();
      open.push_back(candidate);
      which.push_back(c.get());
    }
    auto victim = choose_eviction(open, steady_ms(), kSlowHeaderMs);
    if (!victim) return nullptr;
    auto& v = *which[*victim];
    state = open[*victim].state;
    release(v);
    ::shutdown(v.socket.native_handle(), SHUT_RDWR);
    return &v;
  }

  // Starts the thread of an admitted connection (its slot already taken). Caller holds `mutex`.
  void start(tcp::socket socket, const std::string& peer, bool capped) {
    metrics.connections.set(static_cast<double>(slots.active()));
    auto conn = std::make_unique<Connection>(std::move(socket), peer, capped);
    auto* raw = conn.get();
    try {
      raw->thread = std::thread([this, raw] {
        try {
          serve(*raw);
        } catch (const std::exception& e) {
          std::fprintf(stderr, "connection error: %s\n", e.what());
          std::lock_guard lock(mutex);
          release(*raw);
        }
        raw->finished = true;
      });
    } catch (const std::system_error& e) {  // no thread to be had: close, keep serving the others
      std::fprintf(stderr, "sextant: cannot start a connection thread: %s\n", e.what());
      release(*raw);
      return;
    }
    connections.push_back(std::move(conn));
  }

  // 503 with Retry-After, written without blocking (it fits any socket buffer); the socket
  // lingers until the client has read it.
  void refuse(tcp::socket socket, const std::string& peer, bool per_address) {
    static const std::string kFull = refusal_response(503, "Service Unavailable", "TEMPORARILY_UNAVAILABLE",
                                                      "Too many connections; retry.", 1);
    static const std::string kAddressFull =
        refusal_response(503, "Service Unavailable", "TEMPORARILY_UNAVAILABLE",
                         "Too many connections from this address; retry.", 1);
    const std::string& answer = per_address ? kAddressFull : kFull;
    const char* limit = per_address ? "max_connections_per_address" : "max_connections";
    metrics.refused.with({limit}).inc();
    log_connection("connection refused", 503, limit, peer);
    beast::error_code ec;
    socket.non_blocking(true, ec);
    asio::write(socket, asio::buffer(answer), ec);
    socket.shutdown(tcp::socket::shutdown_send, ec);
    std::lock_guard lock(mutex);
    linger(std::move(socket));
  }

  // Enforces the deadlines of blocked socket operations, closes lingering sockets whose client
  // has closed (or whose time is up), and joins the threads of finished connections.
  void housekeeping() {
    std::lock_guard lock(mutex);
    auto now = steady_ms();
    for (auto it = connections.begin(); it != connections.end();) {
      auto& c = **it;
      if (c.finished.load()) {
        c.thread.join();
        it = connections.erase(it);
        continue;
      }
      auto phase = c.expire(now);
      if (phase != Phase::None) {
        metrics.timeouts.with({std::string(phase_name(phase))}).inc();
        // A head or body that timed out is still answered (408): only reading stops.
        bool answerable = phase == Phase::Header || phase == Phase::Body;
        ::shutdown(c.socket.native_handle(), answerable ? SHUT_RD : SHUT_RDWR);
      }
      ++it;
    }
    for (auto it = lingering.begin(); it != lingering.end();) {
      beast::error_code ec;
      char sink[16384];
      for (int i = 0; i < 4 && !ec && it->drained <= kLingerBytes; ++i) {
        it->drained += it->socket.read_some(asio::buffer(sink), ec);
      }
      bool waiting = ec == asio::error::would_block || ec == asio::error::try_again;
      if ((ec && !waiting) || now > it->until_ms || it->drained > kLingerBytes) {
        it = lingering.erase(it);
      } else {
        ++it;
      }
    }
  }
};

Server::Server(const api::Router& router, ServerOptions options, auth::Gate* gate)
    : impl_(std::make_unique<Impl>(router, std::move(options), gate)) {}

Server::~Server() { stop(); }

void Server::bind() {
  auto& a = impl_->acceptor;
  beast::error_code ec;
  auto address = asio::ip::make_address(impl_->options.host == "localhost" ? "127.0.0.1" : impl_->options.host, ec);
  if (ec) throw std::runtime_error("invalid --host '" + impl_->options.host + "': " + ec.message());
  tcp::endpoint endpoint(address, impl_->options.port);
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("cannot listen on " + impl_->options.host + ":" + std::to_string(impl_->options.port) +
                             ": " + ec.message());
  }
}

unsigned short Server::port() const { return impl_->acceptor.local_endpoint().port(); }

void Server::run() {
  auto& impl = *impl_;
  std::thread keeper([&impl] {
    std::mutex m;
    std::unique_lock lock(m);
    while (!impl.stopping.load()) {
      impl.keeper_wake.wait_for(lock, kHousekeepingPeriod);
      impl.housekeeping();
    }
  });
  while (!impl.stopping.load()) {
    beast::error_code ec;
    tcp::socket socket(impl.io);
    impl.acceptor.accept(socket, ec);
    if (ec) {
      if (impl.stopping.load()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // e.g. EMFILE: back off
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto endpoint = socket.remote_endpoint(ec);
    if (ec) continue;  // already gone
    impl.admit(std::move(socket), endpoint.address().to_string());
  }
  // Graceful stop: no new connections (the listening socket is closed, so clients are refused
  // rather than left in the backlog); connections without an accepted request (idle, or a head
  // still arriving) are closed now; busy ones get the grace period.
  {
    beast::error_code ec;
    impl.acceptor.close(ec);
  }
  impl.keeper_wake.notify_all();
  keeper.join();
  auto deadline = Clock::now() + std::chrono::seconds(impl.options.shutdown_grace_seconds);
  while (true) {
    {
      std::lock_guard lock(impl.mutex);
      for (auto& c : impl.connections) {
        auto phase = c->phase.load();
        bool no_request = phase == Phase::Idle || phase == Phase::Header;  // no request accepted yet
        if (!c->finished.load() && (no_request || Clock::now() > deadline)) ::shutdown(c->socket.native_handle(), SHUT_RDWR);
      }
    }
    impl.housekeeping();
    {
      std::lock_guard lock(impl.mutex);
      if (impl.connections.empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::lock_guard lock(impl.mutex);
  impl.lingering.clear();
}

void Server::stop() {
  if (impl_->stopping.exchange(true)) return;
  // Unblock accept(): shutting the listening socket down makes accept fail.
  ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);
}

}  // namespace sextant::http
