#include "core/model_source.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "util/strings.hpp"
#include "util/url.hpp"

namespace sextant::core {

namespace {

// The placeholder sources MLflow's clients send for prompt versions: "prompt-template" (the
// registry store's create_prompt_version) and "dummy-source" (MlflowClient's, used by
// mlflow.genai.register_prompt against a tracking server). Neither names a place to read.
constexpr std::string_view kPromptPlaceholders[] = {"prompt-template", "dummy-source"};

bool is_prompt_placeholder(std::string_view source) {
  for (auto p : kPromptPlaceholders) {
    if (source == p) return true;
  }
  return false;
}

// A source (or the path resolved from it) as the messages show it: whole up to 200 code points
// (every source MLflow's tests use), else its first 200 and "..." (docs/security.md: a message
// never echoes a client value whole; a source has no length limit of its own).
std::string shown(std::string_view source) {
  constexpr std::size_t kMax = 200;
  std::string_view head = source.substr(0, 4 * kMax + 16);
  if (head.size() == source.size() && util::utf8_length(head) <= kMax) return std::string(source);
  return util::utf8_truncate(head, kMax) + "...";
}

std::string quoted_source(std::string_view source) { return "Invalid model version source: '" + shown(source) + "'. "; }

// _validate_non_local_source_contains_relative_paths's message (always the source as given).
[[noreturn]] void throw_relative(std::string_view source) {
  throw_invalid(quoted_source(source) +
                "If supplying a source as an http, https, local file path, ftp, objectstore, or mlflow-artifacts "
                "uri, an absolute path must be provided without relative path references present. Please provide "
                "an absolute path.");
}

// _validate_source_run / _validate_source_model's message; `shown` is the resolved path when an
// owner was given (MLflow prints the resolved Path then), else the source as given.
[[noreturn]] void throw_local(std::string_view shown, bool model) {
  const char* what = model ? "model_id" : "run_id";
  throw_invalid(quoted_source(shown) + "To use a local path as a model version source, the " + what +
                " request parameter has to be specified and the local path has to be contained within the "
                "artifact directory of the run specified by the " + what + ".");
}

// The registry store wraps every failure of a models:/ lookup in a plain MlflowException.
[[noreturn]] void throw_unfetchable(std::string_view source, std::string_view why) {
  throw MlflowError(ErrorCode::INTERNAL_ERROR, "Unable to fetch model from model URI source artifact location '" +
                                                   shown(source) + "'.Error: " + std::string(why));
}

// Segments equal to "." or "..", split at any of `separators`.
std::size_t dot_segments(std::string_view text, std::string_view separators) {
  std::size_t count = 0, start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || separators.find(text[i]) != std::string_view::npos) {
      auto segment = text.substr(start, i - start);
      if (segment == "." || segment == "..") ++count;
      start = i + 1;
    }
  }
  return count;
}

// mlflow.utils.uri.is_local_uri (POSIX); file://<remote host> is MLflow's INTERNAL_ERROR.
bool is_local_uri(std::string_view uri) {
  util::PythonUrl parts = util::python_urlsplit(uri);
  if (parts.scheme.empty()) return true;
  if (parts.scheme != "file") return false;
  std::string host = parts.hostname();
  bool remote = !host.empty() && host != "." && !host.starts_with("localhost") && !host.starts_with("127.0.0.1");
  if (remote) {
    throw MlflowError(ErrorCode::INTERNAL_ERROR,
                      shown(uri) +
                          " is not a valid remote uri. For remote access on windows, please consider using a "
                          "different scheme such as SMB (e.g. smb://<hostname>/<path>).");
  }
  return true;
}

// mlflow.utils.file_utils.local_file_uri_to_path: a file: URI's path, then unquoted once.
std::string local_file_uri_to_path(std::string_view uri) {
  std::string path(uri);
  if (uri.starts_with("file:")) path = util::python_urlsplit(uri).path;
  std::string converted = util::percent_decode(path);
  return converted.empty() ? path : converted;
}

// The local source check of _validate_source_run / _validate_source_model.
void check_local_source(const SourceRequest& request, SourceLookup& lookup) {
  const std::string& source = request.source;
  const bool by_model = !request.model_id.empty();
  std::optional<std::string> owner_dir;
  if (by_model) {
    auto model = lookup.logged_model(request.model_id);
    if (!model) throw_not_found("Logged model with ID '" + shown(request.model_id) + "' not found.");
    owner_dir = model->artifact_location;
  } else if (!request.run_id.empty()) {
    owner_dir = lookup.run_artifact_uri(request.run_id);
    if (!owner_dir) throw_not_found("Run with id=" + shown(request.run_id) + " not found");
  }
  if (!owner_dir) throw_local(source, by_model);

  const std::string once = local_file_uri_to_path(source);
  // Beyond MLflow (published bypasses): a file: URI's query/fragment is dropped by the check but
  // kept in the stored source (CVE-2024-1483, CVE-2024-3848); dot segments that only a further
  // decoding round or '\' separators reveal (CVE-2024-1560, CVE-2023-2780).
  bool query_or_fragment = source.starts_with("file:") && source.find_first_of("?#") != std::string::npos;
  // A NUL makes MLflow's Path.resolve() fail (500); refused here as a bad value.
  if (query_or_fragment || once.find('\0') != std::string::npos ||
      dot_segments(fully_unquote(once), "/\\") > dot_segments(once, "/")) {
    throw_relative(source);
  }
  auto path = normalize_absolute_path(once);
  if (!path) throw_local(source, by_model);
  if (is_local_uri(*owner_dir)) {
    auto dir = normalize_absolute_path(local_file_uri_to_path(*owner_dir));
    if (dir && path_within(*path, *dir)) return;
  }
  throw_local(*path, by_model);
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The registry store's models:/ resolution (mlflow.store.artifact.utils.models._parse_model_uri).
void resolve_models_uri(const SourceRequest& request, SourceLookup& lookup, ResolvedSource& out) {
  const std::string& source = request.source;
  const std::string improper =
      "Not a proper models:/ URI: " + shown(source) +
      ". Models URIs must be of the form 'models:/name/suffix' or 'models:/name@alias' where suffix is a version, "
      "stage, or the string 'latest' and where alias is a registered model alias. Only one of suffix or alias can "
      "be defined at a time.";
  // A stage, 'latest' or alias reaches get_model_version_download_uri(name, None): int(None).
  const std::string no_version =
      "int() argument must be a string, a bytes-like object or a real number, not 'NoneType'";
  std::string path = util::python_urlsplit(source, /*allow_fragments=*/false).path;
  if (!path.starts_with('/') || path.size() <= 1) throw_unfetchable(source, improper);
  std::string_view rest(path);
  while (rest.starts_with('/')) rest.remove_prefix(1);
  auto parts = util::split(rest, '/');
  if (parts.size() > 2 || util::trim(parts[0]).empty()) throw_unfetchable(source, improper);
  if (parts.size() == 2) {
    const std::string& name = parts[0];
    const std::string& suffix = parts[1];
    if (util::trim(suffix).empty()) throw_unfetchable(source, improper);
    if (!all_digits(suffix)) throw_unfetchable(source, no_version);
    std::optional<std::string> uri;
    if (suffix.size() <= 18) uri = lookup.model_version_download_uri(name, std::stoll(suffix));
    if (!uri) throw_unfetchable(source, "Model Version (name=" + shown(name) + ", version=" + shown(suffix) + ") not found");
    out.storage_location = *uri;
    return;
  }
  if (path.find('@') != std::string::npos) {
    auto at = parts[0].rfind('@');
    if (util::trim(std::string_view(parts[0]).substr(at + 1)).empty()) throw_unfetchable(source, improper);
    if (at == 0) throw_unfetchable(source, "Missing value for required parameter 'name'.");
    throw_unfetchable(source, no_version);
  }
  const std::string& model_id = parts[0];
  auto model = lookup.logged_model(model_id);
  if (!model) throw_unfetchable(source, "Logged model with ID '" + shown(model_id) + "' not found.");
  out.storage_location = model->artifact_location;
  if (!out.run_id || out.run_id->empty()) out.run_id = model->source_run_id;
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

std::optional<std::string> normalize_absolute_path(std::string_view path) {
  if (!path.starts_with('/')) return std::nullopt;
  std::vector<std::string_view> kept;
  std::size_t start = 1;
  for (std::size_t i = 1; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      auto segment = path.substr(start, i - start);
      if (segment == "..") {
        if (!kept.empty()) kept.pop_back();
      } else if (!segment.empty() && segment != ".") {
        kept.push_back(segment);
      }
      start = i + 1;
    }
  }
  std::string out;
  for (auto segment : kept) out.append("/").append(segment);
  return out.empty() ? "/" : out;
}

bool non_local_source_is_absolute(std::string_view source) {
  const std::string decoded = fully_unquote(source);
  std::string path;
  for (char c : util::python_urlparse_path(decoded)) {
    if (c == '/' && !path.empty() && path.back() == '/') continue;
    path += c;
  }
  while (!path.empty() && path.back() == '/') path.pop_back();
  if (path.find('\0') != std::string::npos) return false;
  // MLflow splits at '/' only; '\' too is CVE-2023-2780.
  for (std::string_view segment : util::split(decoded, '/')) {
    for (std::string_view part : util::split(segment, '\\'))
      if (part == "..") return false;
  }
  auto normalized = normalize_absolute_path(path);
  return normalized && *normalized == path;
}

bool path_within(std::string_view path, std::string_view dir) {
  if (dir == "/") return true;
  return path == dir || (path.size() > dir.size() && path.starts_with(dir) && path[dir.size()] == '/');
}

ResolvedSource resolve_model_version_source(const SourceRequest& request, SourceLookup& lookup) {
  const std::string& source = request.source;
  ResolvedSource out{source, request.run_id};
  if (request.is_prompt && is_prompt_placeholder(source)) return out;

  if (is_local_uri(source)) {
    check_local_source(request, lookup);
  } else if (!non_local_source_is_absolute(source)) {
    throw_relative(source);
  }

  if (util::python_urlsplit(source).scheme == "models") resolve_models_uri(request, lookup, out);
  if ((!out.run_id || out.run_id->empty()) && !request.model_id.empty()) {
    auto model = lookup.logged_model(request.model_id);
    if (!model) throw_not_found("Logged model with ID '" + shown(request.model_id) + "' not found.");
    out.run_id = model->source_run_id;
  }
  return out;
}

}  // namespace sextant::core
