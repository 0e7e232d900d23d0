#include "api/view_type.hpp"

#include <nlohmann/json.hpp>

#include "api/request_json.hpp"
#include "core/error.hpp"

namespace sextant::api {

core::ViewType parse_view_type(const Params& p, std::string_view field) {
  const auto* v = p.raw(field);
  if (!v) return core::ViewType::ActiveOnly;
  const nlohmann::json& value = v->is_array() && !v->empty() ? (*v)[0] : *v;
  std::string s = excerpt(value);
  if (s == "ACTIVE_ONLY" || s == "1") return core::ViewType::ActiveOnly;
  if (s == "DELETED_ONLY" || s == "2") return core::ViewType::DeletedOnly;
  if (s == "ALL" || s == "3") return core::ViewType::All;
  core::throw_invalid("Invalid value " + excerpt_json(value) + " for parameter '" + std::string(field) + "' supplied.");
}

}  // namespace sextant::api
