// The HTTP/1.1 server: one thread per connection (bounded), keep-alive, streaming request
// bodies for upload routes and file responses for downloads. Requests are routed through
// api::Router; everything MLflow-specific lives in api/. Boost.Beast stays inside http/.
// Every request gets a request id (a sane incoming X-Request-Id, else a random one; echoed in
// the response), an access-log line and the sextant_http_* metrics (util/prometheus.hpp).
//
// Connection lifecycle (no client can hold a connection, and so a thread, without sending or
// reading): every blocking socket operation carries a deadline that a housekeeping thread
// enforces by shutting the socket down. Waiting for a request's first byte: the keep-alive
// timeout; the rest of the head: the header timeout (total); request bodies (read, drained) and
// responses (written): no progress for the body / write timeout, or falling behind the minimum
// transfer rate. A timed-out request gets 408, a too large head 431, a head whose framing is
// ambiguous (RFC 9112 §6: unknown transfer codings, TE with Content-Length, repeated
// Content-Length or Host) or a path that is not valid percent-encoded UTF-8 400, each closing the
// connection. Connections are capped in total and per peer address (trusted load balancers
// exempt); a full server closes the longest-idle connection for a newcomer, else answers 503 with
// Retry-After. A slot is free as soon as its connection closes.
// stop() refuses new connections at once and lets in-flight requests finish within the grace
// period.
// Thread-safety: run() blocks the calling thread; stop() may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "api/router.hpp"
#include "auth/cidr.hpp"
#include "auth/gate.hpp"

namespace sextant::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 5000;
  std::size_t max_connections = 512;
  std::size_t max_connections_per_address = 0;  // 0 = max(1, max_connections / 4)
  std::vector<auth::Cidr> uncapped_peers;        // load balancers (--real-ip-from): no per-address cap
  std::size_t max_body_bytes = 64 * 1024 * 1024;  // non-streaming routes
  std::size_t max_header_bytes = 64 * 1024;
  int idle_timeout_seconds = 150;    // waiting for a request's first byte (keep-alive)
  int header_timeout_seconds = 10;   // the whole request head, from its first byte
  int body_timeout_seconds = 60;     // a request body that makes no progress this long: 408, closed
  int write_timeout_seconds = 60;    // a response write that makes no progress this long: closed
  std::uint64_t min_transfer_rate = 1024;  // bytes/s bodies and responses must average; 0 = off
  int shutdown_grace_seconds = 20;   // in-flight requests get this long after stop()
  // JSON access log (one line per request, with its request id): "-" = stderr, "" = off.
  std::string access_log = "-";
};

class Server {
 public:
  // With a gate, every request passes auth::Gate::check before its handler runs (the gate is
  // borrowed and must outlive the server).
  Server(const api::Router& router, ServerOptions options, auth::Gate* gate = nullptr);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening socket; throws std::runtime_error with the reason on failure.
  void bind();
  // The bound port (useful with port 0).
  unsigned short port() const;
  // Serves until stop(); then waits for in-flight requests up to the grace period.
  void run();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sextant::http
