// The HTTP/1.1 server: one thread per connection (bounded), keep-alive, streaming request
// bodies for upload routes and file responses for downloads. Requests are routed through
// api::Router; everything MLflow-specific lives in api/. Boost.Beast stays inside http/.
// Every request gets a request id (a sane incoming X-Request-Id, else a random one; echoed in
// the response), an access-log line and the sextant_http_* metrics (util/prometheus.hpp).
// Stalled request bodies and idle keep-alive connections are closed; stop() refuses new
// connections at once and lets in-flight requests finish within the grace period.
// Thread-safety: run() blocks the calling thread; stop() may be called from any thread.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "api/router.hpp"
#include "auth/gate.hpp"

namespace sextant::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 5000;
  std::size_t max_connections = 512;
  std::size_t max_body_bytes = 64 * 1024 * 1024;  // non-streaming routes
  std::size_t max_header_bytes = 64 * 1024;
  int idle_timeout_seconds = 300;    // keep-alive connections idle longer are closed
  int body_timeout_seconds = 60;     // a request body that makes no progress this long: closed
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
