#include "auth/audit_log.hpp"

#include <stdexcept>

#include "util/time.hpp"

namespace sextant::auth {

AuditLog::AuditLog(const std::string& path) : out_(stderr) {
  if (!path.empty()) {
    out_ = std::fopen(path.c_str(), "a");
    if (!out_) throw std::runtime_error("cannot open audit log '" + path + "'");
    owned_ = true;
  }
}

AuditLog::~AuditLog() {
  if (owned_) std::fclose(out_);
}

void AuditLog::event(std::string_view name, nlohmann::json fields) {
  nlohmann::json line = {{"ts", util::now_ms()}, {"audit", std::string(name)}};
  if (fields.is_object())
    for (auto& [k, v] : fields.items()) line[k] = v;
  auto text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::lock_guard lock(mutex_);
  std::fwrite(text.data(), 1, text.size(), out_);
  std::fflush(out_);
}

}  // namespace sextant::auth
