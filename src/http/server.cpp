#include "http/server.hpp"

#include <sys/socket.h>

#include <atomic>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <list>
#include <mutex>
#include <thread>

#include "http/beast_pch.hpp"
#include "util/json_lines.hpp"
#include "util/prometheus.hpp"
#include "util/random_id.hpp"
#include "util/time.hpp"
#include "util/url.hpp"

namespace sextant::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count();
}

// Request body pulled chunk by chunk from the Beast parser. While a read blocks, `reading_since`
// holds its start (the housekeeper closes reads that stall past the body timeout).
class ParserSource final : public artifacts::ByteSource {
 public:
  ParserSource(tcp::socket& socket, beast::flat_buffer& buffer, bhttp::request_parser<bhttp::buffer_body>& parser,
               std::atomic<std::int64_t>& reading_since)
      : socket_(socket), buffer_(buffer), parser_(parser), reading_since_(reading_since) {}

  // From the header itself (Beast's boost::optional accessors trip GCC 12's maybe-uninitialized
  // check under the sanitizers).
  std::optional<std::uint64_t> size() const override {
    if (parser_.chunked()) return std::nullopt;
    const auto& h = parser_.get();
    auto it = h.find(bhttp::field::content_length);
    if (it == h.end()) return std::nullopt;
    std::string_view v(it->value().data(), it->value().size());
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end != v.data() + v.size()) return std::nullopt;
    return n;
  }

  std::size_t read(char* out, std::size_t size) override {
    while (!parser_.is_done()) {
      parser_.get().body().data = out;
      parser_.get().body().size = size;
      beast::error_code ec;
      reading_since_ = steady_ms();
      bhttp::read(socket_, buffer_, parser_, ec);
      reading_since_ = 0;
      if (ec == bhttp::error::need_buffer) ec = {};
      if (ec) throw std::runtime_error("reading request body: " + ec.message());
      std::size_t got = size - parser_.get().body().size;
      bytes_ += got;
      if (got > 0) return got;
    }
    return 0;
  }
  std::size_t bytes() const { return bytes_; }

 private:
  tcp::socket& socket_;
  beast::flat_buffer& buffer_;
  bhttp::request_parser<bhttp::buffer_body>& parser_;
  std::atomic<std::int64_t>& reading_since_;
  std::size_t bytes_ = 0;
};

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
  util::prom::Counter& timeouts = util::prom::Registry::global()
                                      .counter("sextant_http_timeouts_total", "Connections closed for a stalled body")
                                      .with({});
};

std::string method_name(bhttp::verb v) { return std::string(bhttp::to_string(v)); }

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

  struct Connection {
    tcp::socket socket;
    std::atomic<std::int64_t> idle_since_ms{0};  // 0 while a request is being handled
    std::atomic<std::int64_t> reading_since_ms{0};  // steady ms while blocked reading a body
    std::atomic<bool> finished{false};
    std::thread thread;
    explicit Connection(tcp::socket s) : socket(std::move(s)) {}
  };
  std::mutex mutex;
  std::condition_variable cv;
  std::list<std::unique_ptr<Connection>> connections;
  std::size_t active = 0;

  Impl(const api::Router& r, ServerOptions o, auth::Gate* g) : router(r), options(std::move(o)), gate(g) {
    if (!options.access_log.empty()) access_log = std::make_unique<util::JsonLines>(options.access_log);
  }

  static std::string header(const bhttp::request_parser<bhttp::buffer_body>::value_type& req, std::string_view name) {
    auto it = req.find(boost::string_view(name.data(), name.size()));
    return it == req.end() ? std::string() : std::string(it->value());
  }

  static std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count();
  }

  // Drains what is left of a request body we did not consume, so keep-alive stays in sync.
  bool drain(tcp::socket& socket, beast::flat_buffer& buffer, bhttp::request_parser<bhttp::buffer_body>& parser,
             std::size_t limit = 0) {
    if (limit == 0) limit = options.max_body_bytes;
    char sink[8192];
    std::size_t total = 0;
    while (!parser.is_done()) {
      parser.get().body().data = sink;
      parser.get().body().size = sizeof(sink);
      beast::error_code ec;
      bhttp::read(socket, buffer, parser, ec);
      if (ec == bhttp::error::need_buffer) ec = {};
      if (ec) return false;
      total += sizeof(sink) - parser.get().body().size;
      if (total > limit) return false;
    }
    return true;
  }

  void serve(Connection& conn) {
    auto& socket = conn.socket;
    beast::flat_buffer buffer;
    beast::error_code ec;
    std::string remote_address;
    {
      auto endpoint = socket.remote_endpoint(ec);
      if (!ec) remote_address = endpoint.address().to_string();
      ec = {};
    }
    while (!stopping.load()) {
      conn.idle_since_ms = now_ms();
      bhttp::request_parser<bhttp::buffer_body> parser;
      parser.body_limit(boost::none);
      parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
      bhttp::read_header(socket, buffer, parser, ec);
      if (ec) break;
      conn.idle_since_ms = 0;
      auto& hreq = parser.get();
      auto started = Clock::now();
      std::string request_id = header(hreq, "X-Request-Id");
      if (!sane_request_id(request_id)) request_id = util::uuid4_hex();
      struct InFlight {
        util::prom::Gauge& gauge;
        explicit InFlight(util::prom::Gauge& g) : gauge(g) { gauge.add(1); }
        ~InFlight() { gauge.add(-1); }
        InFlight(const InFlight&) = delete;
        InFlight& operator=(const InFlight&) = delete;
      } in_flight(metrics.in_flight);

      api::ApiRequest req;
      req.method = method_name(hreq.method());
      std::string_view target(hreq.target().data(), hreq.target().size());
      auto q = target.find('?');
      req.path = util::percent_decode(target.substr(0, q));
      if (q != std::string_view::npos) req.query = util::parse_query(target.substr(q + 1));
      if (auto it = hreq.find(bhttp::field::content_type); it != hreq.end()) {
        req.has_content_type = true;
        req.content_type = std::string(it->value());
      }
      bool keep_alive = hreq.keep_alive();
      bool head = hreq.method() == bhttp::verb::head;
      req.remote_address = gate ? gate->client_address(remote_address, header(hreq, "X-Forwarded-For")) : remote_address;
      req.host = header(hreq, "Host");
      req.cookie = header(hreq, "Cookie");
      req.range = header(hreq, "Range");
      req.accept_encoding = header(hreq, "Accept-Encoding");
      auto match = router.match(req.method, req.path);

      // Authentication before anything is read or 100-continue is promised. Unknown paths need
      // an authenticated caller too (anonymous callers cannot probe which routes exist).
      std::optional<api::ApiResponse> refused;
      if (gate) {
        auth::RequestCredentials creds;
        creds.method = req.method == "HEAD" ? "GET" : req.method;
        creds.path = req.path;
        creds.authorization = header(hreq, "Authorization");
        creds.cookie = header(hreq, "Cookie");
        creds.remote_address = remote_address;
        creds.client_address = req.remote_address;
        creds.host = header(hreq, "Host");
        creds.origin = header(hreq, "Origin");
        creds.sec_fetch_site = header(hreq, "Sec-Fetch-Site");
        creds.content_type = req.content_type;
        creds.accept = header(hreq, "Accept");
        creds.forwarded_email = header(hreq, "X-Forwarded-Email");
        creds.forwarded_user = header(hreq, "X-Forwarded-User");
        creds.forwarded_groups = header(hreq, "X-Forwarded-Groups");
        creds.counts = {hreq.count(bhttp::field::host), hreq.count(bhttp::field::authorization),
                         hreq.count("X-Forwarded-Email"), hreq.count("X-Forwarded-User"),
                         hreq.count("X-Forwarded-Groups")};
        creds.has_body = parser.chunked() || parser.content_length().value_or(0) > 0;
        bool found = match.kind == api::Router::Match::Kind::Found;
        auto policy = found ? match.route->policy : auth::Policy::Authenticated;
        auto outcome = gate->check(creds, policy, found && match.route->streaming_body);
        if (outcome.allowed) {
          req.principal = std::move(outcome.principal);
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
        expect_continue = true;
      }
      if (expect_continue && !refused) {
        bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, hreq.version()};
        bhttp::write(socket, cont, ec);
        if (ec) break;
      }

      api::ApiResponse res;
      bool body_ok = true;
      if (refused) {
        // The client was not told to continue: close instead of reading a body it may not send.
        body_ok = expect_continue ? false : drain(socket, buffer, parser, 1024 * 1024);
        res = std::move(*refused);
      } else if (match.kind == api::Router::Match::Kind::NotFound) {
        body_ok = drain(socket, buffer, parser);
        res = api::ApiResponse::text("Not Found", 404, "text/html; charset=utf-8");
        res.body = "<!doctype html><title>404 Not Found</title><h1>Not Found</h1>";
      } else if (match.kind == api::Router::Match::Kind::MethodNotAllowed) {
        body_ok = drain(socket, buffer, parser);
        res = api::ApiResponse::text("<!doctype html><title>405 Method Not Allowed</title><h1>Method Not Allowed</h1>",
                                     405, "text/html; charset=utf-8");
      } else {
        req.route_tail = std::move(match.tail);
        req.path_params = std::move(match.params);
        ParserSource source(socket, buffer, parser, conn.reading_since_ms);
        if (match.route->streaming_body) {
          req.body_stream = &source;
          res = api::invoke(*match.route, req);
          body_ok = drain(socket, buffer, parser);
          if (source.bytes()) metrics.artifact_bytes.with({"upload"}).inc(static_cast<double>(source.bytes()));
        } else {
          std::string body;
          char chunk[65536];
          bool too_large = false;
          try {
            while (std::size_t n = source.read(chunk, sizeof(chunk))) {
              body.append(chunk, n);
              if (body.size() > options.max_body_bytes) {
                too_large = true;
                break;
              }
            }
          } catch (const std::exception&) {
            break;  // broken connection
          }
          if (too_large) {
            res = api::ApiResponse::json(
                R"({"error_code": "RESOURCE_EXHAUSTED", "message": "Request body is larger than the server's limit."})",
                413);
            keep_alive = false;
            body_ok = false;
          } else {
            req.body = std::move(body);
            res = api::invoke(*match.route, req);
          }
        }
      }
      if (!body_ok) keep_alive = false;
      if (stopping.load()) keep_alive = false;
      res.headers.emplace_back("X-Request-Id", request_id);
      std::uintmax_t file_bytes = 0;
      bool written = write_response(socket, res, hreq.version(), keep_alive, head, &file_bytes);
      std::string route = match.kind == api::Router::Match::Kind::Found ? match.route->name : "(unmatched)";
      record(req, res, route, request_id, started, file_bytes, written);
      if (!written) break;
      if (!keep_alive) break;
    }
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
  }

  // Metrics and the access-log line of one answered (or, `written` false, failed) request.
  void record(const api::ApiRequest& req, const api::ApiResponse& res, const std::string& route,
              const std::string& request_id, Clock::time_point started, std::uintmax_t file_bytes, bool written) {
    double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    auto status = std::to_string(res.status);
    metrics.requests.with({req.method, route, status}).inc();
    metrics.duration.with({req.method, route}).observe(seconds);
    if (file_bytes) metrics.artifact_bytes.with({"download"}).inc(static_cast<double>(file_bytes));
    if (!access_log) return;
    nlohmann::json line = {{"ts", util::now_ms()},
                           {"level", res.status >= 500 ? "error" : "info"},
                           {"msg", "request"},
                           {"request_id", request_id},
                           {"method", req.method},
                           {"path", req.path},
                           {"route", route},
                           {"status", res.status},
                           {"duration_ms", std::round(seconds * 100000.0) / 100.0},
                           {"bytes_out", res.file || res.stream ? file_bytes : res.body.size()},
                           {"remote", req.remote_address}};
    if (req.principal) line["user"] = req.principal->username;
    if (!written) line["aborted"] = true;
    if (res.status >= 500 && !res.file && !res.stream) line["error"] = res.body.substr(0, 1000);
    access_log->write(line);
  }

  template <typename Response>
  void common_headers(Response& r, const api::ApiResponse& res, bool keep_alive) {
    r.set(bhttp::field::server, "sextant");
    r.set(bhttp::field::content_type, res.content_type);
    r.set("X-Content-Type-Options", "nosniff");
    r.set("X-Frame-Options", "SAMEORIGIN");
    for (const auto& [k, v] : res.headers) r.insert(k, v);  // insert: WWW-Authenticate may repeat
    r.keep_alive(keep_alive);
  }

  // `file_bytes` (optional) receives the body bytes of a file or streamed response.
  bool write_response(tcp::socket& socket, const api::ApiResponse& res, unsigned version, bool keep_alive, bool head,
                      std::uintmax_t* file_bytes = nullptr) {
    beast::error_code ec;
    if (res.file) {
      bhttp::response<bhttp::file_body> r{static_cast<bhttp::status>(res.status), version};
      r.body().open(res.file->c_str(), beast::file_mode::scan, ec);
      if (ec) {
        api::ApiResponse missing = api::ApiResponse::json(
            R"({"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "File not found."})", 404);
        return write_response(socket, missing, version, keep_alive, head);
      }
      common_headers(r, res, keep_alive);
      r.prepare_payload();
      if (file_bytes && !head) *file_bytes = r.body().size();
      if (head) {
        bhttp::response_serializer<bhttp::file_body> sr{r};
        bhttp::write_header(socket, sr, ec);
      } else {
        bhttp::write(socket, r, ec);
      }
      return !ec;
    }
    if (res.stream) return write_stream(socket, res, version, keep_alive, head, file_bytes);
    bhttp::response<bhttp::string_body> r{static_cast<bhttp::status>(res.status), version};
    common_headers(r, res, keep_alive);
    r.body() = res.body;
    r.prepare_payload();
    if (head) {
      bhttp::response_serializer<bhttp::string_body> sr{r};
      bhttp::write_header(socket, sr, ec);
    } else {
      bhttp::write(socket, r, ec);
    }
    return !ec;
  }

  // A body the handler produces after the headers: Content-Length known up front, bytes relayed
  // through a buffer_body serializer. A producer that fails or comes up short ends the connection.
  bool write_stream(tcp::socket& socket, const api::ApiResponse& res, unsigned version, bool keep_alive, bool head,
                    std::uintmax_t* sent_bytes) {
    beast::error_code ec;
    bhttp::response<bhttp::buffer_body> r{static_cast<bhttp::status>(res.status), version};
    common_headers(r, res, keep_alive);
    r.content_length(res.stream->length);
    r.body().data = nullptr;
    r.body().more = true;
    bhttp::response_serializer<bhttp::buffer_body> sr{r};
    bhttp::write_header(socket, sr, ec);
    if (ec) return false;
    if (head) return true;

    struct SocketSink final : artifacts::ByteSink {
      tcp::socket& socket;
      bhttp::response<bhttp::buffer_body>& r;
      bhttp::response_serializer<bhttp::buffer_body>& sr;
      std::uint64_t sent = 0;
      std::uint64_t limit;
      SocketSink(tcp::socket& s, bhttp::response<bhttp::buffer_body>& resp, bhttp::response_serializer<bhttp::buffer_body>& ser,
                 std::uint64_t max)
          : socket(s), r(resp), sr(ser), limit(max) {}
      bool write(const char* data, std::size_t size) override {
        if (size == 0) return true;
        if (size > limit - sent) return false;  // more than announced: the source changed; stop
        r.body().data = const_cast<char*>(data);
        r.body().size = size;
        r.body().more = true;
        beast::error_code e;
        bhttp::write(socket, sr, e);
        if (e == bhttp::error::need_buffer) e = {};
        if (e) return false;
        sent += size;
        return true;
      }
    } sink(socket, r, sr, res.stream->length);
    try {
      res.stream->produce(sink);
    } catch (const std::exception& e) {
      if (sent_bytes) *sent_bytes = sink.sent;
      std::fprintf(stderr, "sextant: download failed after the headers were sent: %s\n", e.what());
      return false;
    }
    if (sent_bytes) *sent_bytes = sink.sent;
    if (sink.sent != res.stream->length) return false;
    r.body().data = nullptr;
    r.body().size = 0;
    r.body().more = false;
    bhttp::write(socket, sr, ec);
    if (ec == bhttp::error::need_buffer) ec = {};
    return !ec;
  }

  // Closes connections idle on keep-alive for too long and reaps finished threads.
  void housekeeping() {
    std::lock_guard lock(mutex);
    auto now = now_ms();
    for (auto it = connections.begin(); it != connections.end();) {
      auto& c = **it;
      if (c.finished.load()) {
        c.thread.join();
        it = connections.erase(it);
        continue;
      }
      auto idle = c.idle_since_ms.load();
      if (idle && now - idle > options.idle_timeout_seconds * 1000LL) ::shutdown(c.socket.native_handle(), SHUT_RDWR);
      auto reading = c.reading_since_ms.load();
      if (reading && steady_ms() - reading > options.body_timeout_seconds * 1000LL) {
        c.reading_since_ms = 0;
        metrics.timeouts.inc();
        ::shutdown(c.socket.native_handle(), SHUT_RDWR);
      }
      ++it;
    }
    metrics.connections.set(static_cast<double>(connections.size()));
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
    while (!impl.stopping.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
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
    std::lock_guard lock(impl.mutex);
    if (impl.connections.size() >= impl.options.max_connections) {
      static constexpr char kBusy[] =
          "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
          "85\r\n\r\n{\"error_code\": \"TEMPORARILY_UNAVAILABLE\", \"message\": \"Too many connections; retry.\"}";
      asio::write(socket, asio::buffer(kBusy, sizeof(kBusy) - 1), ec);
      // Read what the client already sent (without blocking) so that closing does not turn into a
      // reset that could discard the 503 before the client reads it.
      socket.non_blocking(true, ec);
      char sink[4096];
      while (socket.read_some(asio::buffer(sink), ec) > 0) {
      }
      socket.shutdown(tcp::socket::shutdown_both, ec);
      continue;
    }
    auto conn = std::make_unique<Impl::Connection>(std::move(socket));
    auto* raw = conn.get();
    impl.connections.push_back(std::move(conn));
    raw->thread = std::thread([&impl, raw] {
      try {
        impl.serve(*raw);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "connection error: %s\n", e.what());
      }
      raw->finished = true;
    });
  }
  // Graceful stop: no new connections (the listening socket is closed, so clients are refused
  // rather than left in the backlog); idle keep-alive connections are closed now; busy ones get
  // the grace period.
  {
    beast::error_code ec;
    impl.acceptor.close(ec);
  }
  auto deadline = Clock::now() + std::chrono::seconds(impl.options.shutdown_grace_seconds);
  while (true) {
    {
      std::lock_guard lock(impl.mutex);
      for (auto& c : impl.connections)
        if (!c->finished.load() && (c->idle_since_ms.load() || Clock::now() > deadline))
          ::shutdown(c->socket.native_handle(), SHUT_RDWR);
    }
    impl.housekeeping();
    {
      std::lock_guard lock(impl.mutex);
      if (impl.connections.empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  keeper.join();
}

void Server::stop() {
  if (impl_->stopping.exchange(true)) return;
  // Unblock accept(): shutting the listening socket down makes accept fail.
  ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);
}

}  // namespace sextant::http
