#include "auth/audit_log.hpp"

#include "util/prometheus.hpp"
#include "util/time.hpp"

namespace sextant::auth {

void AuditLog::event(std::string_view name, nlohmann::json fields) {
  nlohmann::json line = {{"ts", util::now_ms()}, {"audit", std::string(name)}};
  if (fields.is_object())
    for (auto& [k, v] : fields.items()) line[k] = v;
  out_.write(line);
  static auto& events = util::prom::Registry::global().counter(
      "sextant_auth_events_total", "Authentication audit events (logins, failures, denials, tokens)", {"event"});
  events.with({std::string(name)}).inc();
}

}  // namespace sextant::auth
