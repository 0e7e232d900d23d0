#include "core/model_source.hpp"

#include "core/artifact_uri.hpp"
#include "core/error.hpp"
#include "util/strings.hpp"
#include "util/url.hpp"

namespace sextant::core {

namespace {

constexpr std::string_view kPromptPlaceholder = "prompt-template";

std::string quoted_source(std::string_view source) { return "Invalid model version source: '" + std::string(source) + "'. "; }

[[noreturn]] void throw_relative(std::string_view source) {
  throw_invalid(quoted_source(source) +
                "If supplying a source as an http, https, local file path, ftp, objectstore, or mlflow-artifacts "
                "uri, an absolute path must be provided without relative path references present. Please provide "
                "an absolute path.");
}

[[noreturn]] void throw_local(std::string_view source, bool model) {
  const char* what = model ? "model_id" : "run_id";
  throw_invalid(quoted_source(source) + "To use a local path as a model version source, the " + what +
                " request parameter has to be specified and the local path has to be contained within the "
                "artifact directory of the run specified by the " + what + ".");
}

[[noreturn]] void throw_outside(std::string_view source) {
  throw_invalid(quoted_source(source) +
                "The source must be a runs:/ or models:/ URI, or lie inside the artifact location of the run "
                "given by run_id, of the logged model given by model_id, or of an experiment of this server.");
}

[[noreturn]] void throw_unfetchable(std::string_view source, const std::string& why) {
  throw_invalid("Unable to fetch model from model URI source artifact location '" + std::string(source) +
                "'.Error: " + why);
}

std::string collapse_slashes(std::string_view path) {
  std::string out;
  for (char c : path) {
    if (c == '/' && !out.empty() && out.back() == '/') continue;
    out += c;
  }
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

// The path part of "scheme:[//authority]path" after the scheme (query and fragment cut off).
std::string_view uri_path(std::string_view uri, std::size_t scheme_len) {
  std::string_view rest = uri.substr(scheme_len + 1);
  if (rest.starts_with("//")) {
    rest.remove_prefix(2);
    auto slash = rest.find('/');
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  }
  auto cut = rest.find_first_of("?#");
  return rest.substr(0, cut);
}

// MLflow requires an already-normalised absolute path (posix resolve() must not change it).
bool has_absolute_path(std::string_view uri, std::size_t scheme_len) {
  std::string path = collapse_slashes(uri_path(uri, scheme_len));
  return path.size() > 1 && path.front() == '/';
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

std::string fully_unquote(std::string_view s) {
  std::string current(s);
  // Each round shortens the text unless nothing changed, so this ends.
  while (true) {
    std::string next = util::percent_decode(current, /*plus_as_space=*/true);
    if (next == current) return current;
    current = std::move(next);
  }
}

bool has_relative_references(std::string_view decoded) {
  for (unsigned char c : decoded) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  std::size_t start = 0;
  for (std::size_t i = 0; i <= decoded.size(); ++i) {
    if (i == decoded.size() || decoded[i] == '/' || decoded[i] == '\\') {
      auto segment = decoded.substr(start, i - start);
      if (segment == "." || segment == "..") return true;
      start = i + 1;
    }
  }
  return false;
}

std::string uri_scheme(std::string_view uri) {
  auto colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0) return "";
  auto is_alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!is_alpha(uri[0])) return "";
  for (std::size_t i = 1; i < colon; ++i) {
    char c = uri[i];
    if (!(is_alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')) return "";
  }
  return util::to_lower(uri.substr(0, colon));
}

std::string canonical_uri(std::string_view uri) {
  if (uri_scheme(uri) != "mlflow-artifacts") return std::string(uri);
  std::string path;
  proxied_artifact_path(uri, path);
  return "mlflow-artifacts:/" + path;
}

bool uri_within(std::string_view uri, std::string_view root) {
  std::string scheme = uri_scheme(uri);
  if (scheme.empty() || scheme != uri_scheme(root)) return false;
  if (scheme == "mlflow-artifacts") {
    std::string p, rp;
    proxied_artifact_path(uri, p);
    proxied_artifact_path(root, rp);
    p = collapse_slashes(p);
    rp = collapse_slashes(rp);
    while (!rp.empty() && rp.back() == '/') rp.pop_back();
    if (rp.empty()) return true;
    return p == rp || p.starts_with(rp + "/");
  }
  auto split_query = [](std::string_view s) {
    auto q = s.find('?');
    return q == std::string_view::npos ? std::pair{s, std::string_view{}} : std::pair{s.substr(0, q), s.substr(q)};
  };
  auto [base, query] = split_query(uri);
  auto [root_base, root_query] = split_query(root);
  if (query != root_query) return false;
  // Compare after the scheme, which is case-insensitive.
  std::string_view b = base.substr(scheme.size());
  std::string_view rb = root_base.substr(scheme.size());
  while (b.size() > 1 && b.back() == '/') b.remove_suffix(1);
  while (rb.size() > 1 && rb.back() == '/') rb.remove_suffix(1);
  if (rb == ":" || rb == ":/" || rb == "://") return false;  // a bare scheme is no location
  return b == rb || (b.size() > rb.size() && b.starts_with(rb) && b[rb.size()] == '/');
}

std::optional<std::string> local_path(std::string_view uri) {
  std::string scheme = uri_scheme(uri);
  std::string path;
  if (scheme.empty()) {
    path = std::string(uri);
  } else if (scheme == "file") {
    std::string_view rest = uri.substr(5);
    if (rest.starts_with("//")) {
      rest.remove_prefix(2);
      auto slash = rest.find('/');
      auto host = rest.substr(0, slash);
      if (!(host.empty() || util::iequals(host, "localhost"))) return std::nullopt;
      if (slash == std::string_view::npos) return std::nullopt;
      rest = rest.substr(slash);
    }
    if (rest.find_first_of("?#") != std::string_view::npos) return std::nullopt;
    path = util::percent_decode(rest);
  } else {
    return std::nullopt;
  }
  if (path.empty() || path.front() != '/') return std::nullopt;
  return collapse_slashes(path);
}

bool path_within(std::string_view path, std::string_view dir) {
  if (dir == "/") return true;
  return path == dir || (path.size() > dir.size() && path.starts_with(dir) && path[dir.size()] == '/');
}

ResolvedSource resolve_model_version_source(const SourceRequest& request, SourceLookup& lookup) {
  const std::string& source = request.source;
  ResolvedSource out{source, request.run_id};
  if (request.is_prompt && source == kPromptPlaceholder) return out;

  std::string decoded = fully_unquote(source);
  if (has_relative_references(decoded)) throw_relative(source);

  std::optional<SourceLookup::LoggedModel> model;
  if (!request.model_id.empty()) {
    model = lookup.logged_model(request.model_id);
    if (!model) throw_not_found("Logged model with ID '" + request.model_id + "' not found.");
  }
  const bool has_run_id = !request.run_id.empty();
  auto default_run_id = [&] {
    if (!has_run_id && model) out.run_id = model->source_run_id;
  };

  const std::string scheme = uri_scheme(source);
  if (scheme.empty() || scheme == "file") {
    std::optional<std::string> dir_uri;
    if (model) {
      dir_uri = model->artifact_location;
    } else if (has_run_id) {
      dir_uri = lookup.run_artifact_uri(request.run_id);
      if (!dir_uri) throw_not_found("Run with id=" + request.run_id + " not found");
    }
    auto path = local_path(source);
    auto dir = dir_uri ? local_path(*dir_uri) : std::nullopt;
    if (!path || !dir || !path_within(*path, *dir)) throw_local(source, model.has_value());
    default_run_id();
    return out;
  }

  if (!has_absolute_path(decoded, scheme.size())) throw_relative(source);

  if (scheme == "runs") {
    std::string_view rest = std::string_view(source).substr(5);
    if (!rest.starts_with("/") || rest.starts_with("//")) throw_outside(source);
    rest.remove_prefix(1);
    std::string run_id(rest.substr(0, rest.find('/')));
    if (has_run_id && run_id != request.run_id) {
      throw_invalid(quoted_source(source) + "The run_id request parameter '" + request.run_id +
                    "' does not match the run of the source.");
    }
    if (!lookup.run_artifact_uri(run_id)) throw_invalid(quoted_source(source) + "Run '" + run_id + "' not found.");
    default_run_id();
    return out;
  }

  if (scheme == "models") {
    std::string_view rest = std::string_view(source).substr(7);
    if (!rest.starts_with("/") || rest.starts_with("//") || rest.find_first_of("?#") != std::string_view::npos) {
      throw_unfetchable(source, "Not a proper models:/ URI.");
    }
    rest.remove_prefix(1);
    auto parts = util::split(rest, '/');
    if (parts.size() == 2 && !util::trim(parts[0]).empty() && all_digits(parts[1])) {
      auto uri = lookup.model_version_download_uri(parts[0], std::stoll(parts[1]));
      if (!uri) {
        throw_unfetchable(source, "Model Version (name=" + parts[0] + ", version=" + parts[1] + ") not found");
      }
      out.storage_location = *uri;
      return out;
    }
    if (parts.size() == 1 && !util::trim(parts[0]).empty() && parts[0].find('@') == std::string::npos) {
      const std::string& id = parts[0];
      if (model && id != request.model_id) {
        throw_invalid(quoted_source(source) + "The model_id request parameter '" + request.model_id +
                      "' does not match the model of the source.");
      }
      auto source_model = model ? model : lookup.logged_model(id);
      if (!source_model) throw_unfetchable(source, "Logged model with ID '" + id + "' not found.");
      out.storage_location = source_model->artifact_location;
      if (!has_run_id) out.run_id = source_model->source_run_id;
      return out;
    }
    throw_unfetchable(source,
                      "Only models:/<model_id> and models:/<name>/<version> sources can be registered; versions "
                      "referenced by stage, alias or 'latest' cannot.");
  }

  // Any other URI: inside a known artifact location.
  const std::string canonical = canonical_uri(decoded);
  std::vector<std::string> roots;
  if (has_run_id) {
    if (auto run_uri = lookup.run_artifact_uri(request.run_id)) roots.push_back(*run_uri);
  }
  if (model) roots.push_back(model->artifact_location);
  roots.push_back(lookup.default_artifact_root());
  for (auto& location : lookup.experiment_locations_prefixing(canonical)) roots.push_back(std::move(location));
  bool inside = false;
  for (const auto& root : roots) {
    if (uri_within(canonical, canonical_uri(root))) {
      inside = true;
      break;
    }
  }
  if (!inside) throw_outside(source);
  default_run_id();
  return out;
}

}  // namespace sextant::core
