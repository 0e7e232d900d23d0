#include "http/connection_slots.hpp"

namespace sextant::http {

ConnectionSlots::Admission ConnectionSlots::admit(const std::string& address, bool capped) {
  if (capped && from(address) >= max_per_address_) return Admission::AddressFull;
  if (active_ >= max_total_) return Admission::Full;
  ++active_;
  if (capped) ++per_address_[address];
  return Admission::Admitted;
}

void ConnectionSlots::release(const std::string& address, bool capped) {
  if (active_ > 0) --active_;
  if (!capped) return;
  auto it = per_address_.find(address);
  if (it == per_address_.end()) return;
  if (--it->second == 0) per_address_.erase(it);
}

std::size_t ConnectionSlots::from(const std::string& address) const {
  auto it = per_address_.find(address);
  return it == per_address_.end() ? 0 : it->second;
}

std::optional<std::size_t> choose_eviction(const std::vector<EvictionCandidate>& open, std::int64_t now_ms,
                                           std::int64_t slow_header_ms) {
  std::optional<std::size_t> idle, slow;
  for (std::size_t i = 0; i < open.size(); ++i) {
    const auto& c = open[i];
    if (c.state == EvictionCandidate::State::Idle) {
      if (!idle || c.since_ms < open[*idle].since_ms) idle = i;
    } else if (c.state == EvictionCandidate::State::ReadingHeader && now_ms - c.since_ms >= slow_header_ms) {
      if (!slow || c.since_ms < open[*slow].since_ms) slow = i;
    }
  }
  return idle ? idle : slow;
}

}  // namespace sextant::http
