// The web UI (web/, built by `make build` into <build>/web beside the binary; --ui-dir elsewhere):
//   GET <prefix>/                       index.html                       authenticated
//   GET <prefix>, GET /                 302 to <prefix>/ (prefix set)    authenticated
//   GET <prefix>/static-files/<name>    hashed assets (immutable)        authenticated
//   GET <prefix>/static-files/login.js, login.css   the login page's own assets, public
// and the local login page (login.html) that <prefix>/auth/login shows when no OIDC provider
// is configured (ui_login_page, used by sextant_auth_api.cpp). The route table is the same
// whether or not the UI is installed (a missing UI answers 404), so the public allowlist is
// exact and fixed. HTML pages get a CSP without inline script; all UI files get nosniff (http/).
#include "api/ui_files.hpp"

#include <fstream>
#include <sstream>

#include "api/routes.hpp"

namespace sextant::api {

namespace {

constexpr const char* kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'self'";

ApiResponse not_found(const std::string& what) {
  return ApiResponse::text("<!doctype html><title>404 Not Found</title><h1>Not Found</h1><p>" + what + "</p>", 404,
                           "text/html; charset=utf-8");
}

// Asset names Vite writes: one segment of [A-Za-z0-9._-], not starting with a dot.
bool safe_asset_name(std::string_view name) {
  if (name.empty() || name.size() > 200 || name.front() == '.') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-';
    if (!ok) return false;
  }
  return true;
}

// "index-B2x-9_aZ.js": a content hash (a '-' and 8 base64url characters ending the stem; the
// hash itself may hold '-') means the file never changes under that name.
bool hashed_name(std::string_view name) {
  auto stem = name.substr(0, name.find('.'));
  return stem.size() > 9 && stem[stem.size() - 9] == '-';
}

bool accepts_gzip(const ApiRequest& req) { return req.accept_encoding.find("gzip") != std::string::npos; }

ApiResponse asset(const ServerSettings& s, const ApiRequest& req, std::string_view name) {
  if (s.ui_dir.empty() || !safe_asset_name(name)) return not_found("No such file.");
  auto path = std::filesystem::path(s.ui_dir) / "static-files" / std::string(name);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return not_found("No such file.");
  ApiResponse r;
  r.content_type = ui_content_type(name);
  r.file = path;
  auto gz = path;
  gz += ".gz";
  if (accepts_gzip(req) && std::filesystem::is_regular_file(gz, ec)) {
    r.file = gz;
    r.headers.emplace_back("Content-Encoding", "gzip");
  }
  r.headers.emplace_back("Vary", "Accept-Encoding");
  r.headers.emplace_back("Cache-Control", hashed_name(name) ? "public, max-age=31536000, immutable" : "no-cache");
  return r;
}

}  // namespace

std::string ui_content_type(std::string_view name) {
  auto dot = name.rfind('.');
  auto ext = dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  if (ext == "woff2") return "font/woff2";
  if (ext == "json" || ext == "map") return "application/json";
  return "application/octet-stream";
}

std::optional<ApiResponse> ui_page(const ServerSettings& s, const std::string& file) {
  if (s.ui_dir.empty()) return std::nullopt;
  std::ifstream in(std::filesystem::path(s.ui_dir) / file, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  // Vite writes asset URLs relative to the page ("./static-files/x.js"); the pages are served at
  // <prefix>/ and <prefix>/auth/login, so they become absolute under the prefix.
  std::string html = text.str(), out;
  const std::string from = "\"./static-files/", to = "\"" + s.static_prefix + "/static-files/";
  for (std::size_t pos = 0;;) {
    auto hit = html.find(from, pos);
    out.append(html, pos, hit == std::string::npos ? std::string::npos : hit - pos);
    if (hit == std::string::npos) break;
    out += to;
    pos = hit + from.size();
  }
  auto r = ApiResponse::text(std::move(out), 200, "text/html; charset=utf-8");
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("Content-Security-Policy", kCsp);
  r.headers.emplace_back("Referrer-Policy", "same-origin");
  r.headers.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
  return r;
}

void register_ui_routes(RpcRegistrar& reg, Services& services) {
  auto& router = reg.router();
  const auto& s = services.settings;
  const std::string prefix = s.static_prefix;
  router.add("GET", prefix + "/", auth::Policy::Authenticated, [&s](const ApiRequest&) {
    if (auto page = ui_page(s, "index.html")) return *page;
    return not_found("The web UI is not installed: build it with `make build` (web/) or give --ui-dir.");
  });
  if (!prefix.empty()) {
    // <prefix> and the server root lead to the UI: the official client prints run links as
    // <tracking URI>/#/experiments/..., and the tracking URI is the root (the browser keeps the #).
    for (const std::string& path : {prefix, std::string("/")}) {
      router.add("GET", path, auth::Policy::Authenticated, [prefix](const ApiRequest&) {
        auto r = ApiResponse::text("Redirecting", 302);
        r.headers.emplace_back("Location", prefix + "/");
        return r;
      });
    }
  }
  const std::string base = prefix + "/static-files/";
  router.add_prefix("GET", base, auth::Policy::Authenticated,
                    [&s](const ApiRequest& req) { return asset(s, req, req.route_tail); });
  // The login page's own files: the only UI files a browser without a session may fetch.
  for (const char* name : {"login.js", "login.css"}) {
    router.add("GET", base + name, auth::Policy::Public,
               [&s, name](const ApiRequest& req) { return asset(s, req, name); });
  }
}

}  // namespace sextant::api
