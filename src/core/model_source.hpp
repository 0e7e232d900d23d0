// Which `source` a new model version may have, and where it is downloaded from: MLflow 3.6's
// rules (handlers.py _validate_source_run / _validate_source_model /
// _validate_non_local_source_contains_relative_paths, then the registry store's models:/
// resolution), with MLflow's messages and error codes:
//
//   * a local source (no scheme, or file:) needs run_id (model_id) and must lie inside that
//     run's (logged model's) artifact directory, which must itself be local; the path is
//     percent-decoded once and normalised (`..` may step around inside the directory).
//     Unknown run/model: RESOURCE_DOES_NOT_EXIST. file://<remote host>/...: INTERNAL_ERROR.
//   * any other URI (runs:/, models:/, mlflow-artifacts:, s3:, http:, ...) is accepted when,
//     fully percent-decoded ('+' as space, repeatedly), it has no `..` segment, and its path is
//     absolute, normalised and free of NUL. The run in runs:/ need not exist nor match run_id.
//   * models:/<model_id> stores the logged model's artifact_location (run_id defaults to its
//     source_run_id), models:/<name>/<version> that version's download URI; anything else under
//     models:/ (stage, alias, latest, unknown ids) fails with MLflow's "Unable to fetch model..."
//     (INTERNAL_ERROR, as MLflow). With model_id and no run_id, run_id = the model's source run.
//
// Refused beyond MLflow, each for a published MLflow vulnerability (README "Model version
// sources"): `..` segments separated by '\' (CVE-2023-2780); in local sources, `.`/`..` that
// appear only after a further decoding round (CVE-2024-1560, double decoding), and a query or
// fragment in a file: URI (CVE-2024-1483 / CVE-2024-3848); prompt versions other than the
// "prompt-template" placeholder are checked like any version (CVE-2026-2614).
// Pure logic: the data it needs comes through SourceLookup.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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
// MLflow's _validate_non_local_source_contains_relative_paths, plus '\'-separated `..`:
// true when `source` passes.
bool non_local_source_is_absolute(std::string_view source);
// An absolute path with "." and ".." resolved and '/' runs collapsed, as posix
// Path.resolve() gives it without symlinks; nullopt for relative paths.
std::optional<std::string> normalize_absolute_path(std::string_view path);
bool path_within(std::string_view path, std::string_view dir);

}  // namespace sextant::core
