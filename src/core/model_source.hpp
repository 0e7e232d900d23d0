// Which `source` a new model version may have, and where it is downloaded from
// (mlflow-api.md §2.9 CreateModelVersion rules 2-3). A version's source becomes a download URI
// that other clients (and the registry's own resolution) follow, so only sources that name a
// run's or a logged model's artifacts on this server are accepted:
//
//   * `runs:/<run_id>[/path]`                     the run must exist (and match run_id if given)
//   * `models:/<model_id>`                        a logged model; storage = its artifact_location,
//                                                 run_id defaults to its source_run_id
//   * `models:/<name>/<version>`                  storage = that version's download URI
//   * a URI with a scheme (mlflow-artifacts:, s3:, ...) that lies inside the artifact location
//     of the run given by run_id, of the logged model given by model_id, of some experiment, or
//     inside the server's default artifact root
//   * a local absolute path or file: URI only inside the (local) artifact directory of the run
//     given by run_id, or of the logged model given by model_id (MLflow's rule)
//
// Every source is first fully percent-decoded (repeatedly, '+' as space, like MLflow's
// unquote_plus loop); control characters, "." or ".." segments ('/' or '\' separated) or a
// missing absolute path are rejected. Prompt versions may use the placeholder "prompt-template".
// Violations throw MlflowError(INVALID_PARAMETER_VALUE) with MLflow's messages where MLflow has
// one; an unknown model_id (or run_id with a local source) is RESOURCE_DOES_NOT_EXIST.
// Pure logic: the data it needs comes through SourceLookup.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sextant::core {

class SourceLookup {
 public:
  struct LoggedModel {
    std::string artifact_location;
    std::optional<std::string> source_run_id;
  };
  virtual ~SourceLookup() = default;
  // The run's artifact_uri; nullopt when no run has that id.
  virtual std::optional<std::string> run_artifact_uri(const std::string& run_id) = 0;
  // A logged model that is not deleted; nullopt when there is none.
  virtual std::optional<LoggedModel> logged_model(const std::string& model_id) = 0;
  // Download URI (storage_location, else source) of a non-deleted model version; nullopt if none.
  virtual std::optional<std::string> model_version_download_uri(const std::string& name, std::int64_t version) = 0;
  // Experiment artifact locations that may contain `uri` (at least every one that is a string
  // prefix of it, ignoring trailing '/'); the caller checks containment itself.
  virtual std::vector<std::string> experiment_locations_prefixing(const std::string& uri) = 0;
  virtual std::string default_artifact_root() = 0;
};

struct SourceRequest {
  std::string source;
  std::string run_id;    // "" when not given
  std::string model_id;  // "" when not given
  bool is_prompt = false;
};

struct ResolvedSource {
  std::string storage_location;
  std::optional<std::string> run_id;  // the run_id to store (nullopt: NULL)
};

ResolvedSource resolve_model_version_source(const SourceRequest& request, SourceLookup& lookup);

// Building blocks (pure; exposed for the unit tests).
// Percent-decodes ('+' as space) until the text no longer changes.
std::string fully_unquote(std::string_view s);
// Control characters, or a "." / ".." segment between '/' or '\' separators.
bool has_relative_references(std::string_view decoded);
// RFC 3986 scheme, lower-cased ("" when there is none).
std::string uri_scheme(std::string_view uri);
// mlflow-artifacts URIs as "mlflow-artifacts:/<path>" (authority dropped); others unchanged.
std::string canonical_uri(std::string_view uri);
// Is `uri` equal to or below `root` (same scheme; whole path segments; same query)?
bool uri_within(std::string_view uri, std::string_view root);
// Absolute local path of a plain path or file: URI (file: URIs decoded once), normalised
// (no duplicate or trailing '/'); nullopt for other schemes, relative paths, remote file hosts.
std::optional<std::string> local_path(std::string_view uri);
bool path_within(std::string_view path, std::string_view dir);

}  // namespace sextant::core
