// The web UI's pages and assets (ui_api.cpp): the route registration is in routes.hpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/http_types.hpp"
#include "api/services.hpp"

namespace sextant::api {

// The HTML page `file` ("index.html", "login.html") of the installed UI with its security
// headers (CSP without inline script, no-cache), asset URLs made absolute under the static
// prefix; nullopt when the UI is not installed.
std::optional<ApiResponse> ui_page(const ServerSettings& settings, const std::string& file);

// Content type of a UI asset by its extension.
std::string ui_content_type(std::string_view name);

}  // namespace sextant::api
