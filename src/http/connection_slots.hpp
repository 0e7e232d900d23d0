// Admission of client connections: a global cap (--max-connections) and a cap per peer address
// (--max-connections-per-address; peers that are trusted load balancers are exempt, every client
// behind them shares their few addresses), and which open connection gives way when the server is
// full. Pure bookkeeping; the caller serialises access (the server's connection mutex).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace sextant::http {

class ConnectionSlots {
 public:
  enum class Admission { Admitted, AddressFull, Full };

  ConnectionSlots(std::size_t max_total, std::size_t max_per_address)
      : max_total_(max_total), max_per_address_(max_per_address) {}

  // Takes a slot for a connection from `address` (`capped` = the per-address cap applies).
  Admission admit(const std::string& address, bool capped);
  // Gives back a slot taken by admit() (exactly once per admitted connection).
  void release(const std::string& address, bool capped);

  std::size_t active() const { return active_; }
  std::size_t from(const std::string& address) const;

 private:
  std::size_t max_total_;
  std::size_t max_per_address_;
  std::size_t active_ = 0;
  std::unordered_map<std::string, std::size_t> per_address_;
};

// What an open connection is doing, as far as making room for a new one is concerned.
struct EvictionCandidate {
  enum class State { Idle, ReadingHeader, Busy };
  State state = State::Busy;
  std::int64_t since_ms = 0;  // Idle: since when; ReadingHeader: since the head's first byte
};

// The connection to close so that a new one fits in a full server, or nullopt (then the newcomer
// gets 503): the one idle longest (waiting for the first byte of a request: closing it loses
// nothing, HTTP clients reopen), else the one whose request head has been arriving longest if that
// is at least `slow_header_ms` (a slow head while the server is full is most likely an attack).
// Requests whose head has arrived are never cut.
std::optional<std::size_t> choose_eviction(const std::vector<EvictionCandidate>& open, std::int64_t now_ms,
                                           std::int64_t slow_header_ms);

}  // namespace sextant::http
