// One client connection of the server: its socket, what its thread is doing (the phase) and the
// deadline of the blocking socket operation it is in, which the housekeeper enforces by shutting
// the socket down (expire()). The thread's blocking operations go through wait_readable,
// read_body_some and write_out, which arm those deadlines. Internal to http/.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>

#include "http/beast_pch.hpp"
#include "http/transfer_budget.hpp"

namespace sextant::http {

using RequestParser = boost::beast::http::request_parser<boost::beast::http::buffer_body>;

inline std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

enum class Phase : int {
  None = 0,
  Idle,     // waiting for the first byte of a request (keep-alive)
  Header,   // reading a request head
  Body,     // reading or draining a request body
  Handler,  // the handler runs (no socket operation)
  Write,    // writing a response
};

inline std::string_view phase_name(Phase p) {
  switch (p) {
    case Phase::Idle: return "idle";
    case Phase::Header: return "header";
    case Phase::Body: return "body";
    case Phase::Handler: return "handler";
    case Phase::Write: return "write";
    case Phase::None: break;
  }
  return "none";
}

struct Connection {
  boost::asio::ip::tcp::socket socket;
  std::string peer;     // the TCP peer's address
  bool capped = false;  // counts against the per-address cap
  bool holds_slot = true;  // guarded by the server's connection mutex

  std::atomic<Phase> phase{Phase::None};
  std::atomic<std::int64_t> phase_since_ms{0};
  std::atomic<Phase> timed_out{Phase::None};  // the phase whose deadline passed
  std::atomic<bool> finished{false};
  std::thread thread;

  Connection(boost::asio::ip::tcp::socket s, std::string peer_address, bool per_address_cap)
      : socket(std::move(s)), peer(std::move(peer_address)), capped(per_address_cap) {}

  void enter(Phase p, std::int64_t now_ms) {
    phase_since_ms = now_ms;
    phase = p;
  }
  // The thread is about to block on the socket in `p` until `deadline_ms` at most.
  void arm(Phase p, std::int64_t deadline_ms) { watch_ = pack(deadline_ms, p); }
  void disarm() { watch_ = 0; }

  // Blocks until the socket has something to read (or is closed), at most until `deadline_ms`
  // (Idle); false when it was closed or timed out.
  bool wait_readable(std::int64_t deadline_ms) {
    enter(Phase::Idle, steady_ms());
    arm(Phase::Idle, deadline_ms);
    boost::beast::error_code ec;
    socket.wait(boost::asio::ip::tcp::socket::wait_read, ec);
    disarm();
    return !ec && timed_out.load() == Phase::None;
  }

  // One read of request-body bytes into the parser's body buffer, under `budget` (Body);
  // need_buffer (the body buffer is full) is not an error.
  std::size_t read_body_some(boost::beast::flat_buffer& buffer, RequestParser& parser, TransferBudget& budget,
                             boost::beast::error_code& ec) {
    auto started = steady_ms();
    arm(Phase::Body, budget.deadline(started));
    auto n = boost::beast::http::read_some(socket, buffer, parser, ec);
    disarm();
    budget.record(started, steady_ms(), n);
    if (ec == boost::beast::http::error::need_buffer) ec = {};
    return n;
  }

  // Writes what `sr` has (its header only with `header_only`; with a buffer_body, until the
  // current buffer is out) under `budget` (Write); false when the connection failed.
  template <typename Serializer>
  bool write_out(Serializer& sr, TransferBudget& budget, bool header_only = false) {
    if (header_only) sr.split(true);
    while (!(header_only ? sr.is_header_done() : sr.is_done())) {
      auto started = steady_ms();
      arm(Phase::Write, budget.deadline(started));
      boost::beast::error_code ec;
      auto n = boost::beast::http::write_some(socket, sr, ec);
      disarm();
      budget.record(started, steady_ms(), n);
      if (ec == boost::beast::http::error::need_buffer) return true;
      if (ec) return false;
    }
    return true;
  }

  // Housekeeper: when the armed deadline has passed (and the thread has not moved on), records
  // the timeout and returns its phase; None otherwise.
  Phase expire(std::int64_t now_ms) {
    auto w = watch_.load();
    if (w == 0 || static_cast<std::int64_t>(w >> 3) > now_ms) return Phase::None;
    if (!watch_.compare_exchange_strong(w, 0)) return Phase::None;
    auto p = static_cast<Phase>(w & 7);
    timed_out = p;
    return p;
  }

 private:
  static std::uint64_t pack(std::int64_t deadline_ms, Phase p) {
    return (static_cast<std::uint64_t>(deadline_ms < 0 ? 0 : deadline_ms) << 3) | static_cast<std::uint64_t>(p);
  }
  std::atomic<std::uint64_t> watch_{0};  // (deadline << 3) | phase; 0 = not armed
};

}  // namespace sextant::http
