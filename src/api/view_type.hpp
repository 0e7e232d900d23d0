// The ViewType enum as MLflow accepts it: ACTIVE_ONLY(1), DELETED_ONLY(2), ALL(3), by name or number.
#pragma once

#include <string_view>

#include "api/params.hpp"
#include "core/entities.hpp"

namespace sextant::api {

// Default ACTIVE_ONLY when absent; INVALID_PARAMETER_VALUE for anything else.
core::ViewType parse_view_type(const Params& p, std::string_view field);

}  // namespace sextant::api
