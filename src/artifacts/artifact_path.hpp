// The one artifact path rule, used by every artifact route and store (local disk and S3):
// a client's path, percent-decoded once by the HTTP layer (route tail or query parameter; JSON
// strings are not decoded), becomes a canonical relative path or is refused. Pure functions, no
// I/O; fuzz-friendly (any bytes in, a string or core::MlflowError out).
//
// Refused with INVALID_PARAMETER_VALUE ("Invalid path ..."):
//   - control characters (C0 with NUL, DEL, C1), invalid UTF-8 (overlong forms such as C0 AE included);
//   - backslashes and '#';
//   - absolute paths, empty segments ("a//b"), "." and ".." segments;
//   - a first segment that is a Windows drive ("C:...") or a URI scheme ("file:", "s3:", "http:"
//     ..., or anything ending in ':');
//   - segments over 255 bytes, paths over 4096 bytes, paths still changing after 8 decodings;
//   - the same rules (bar other control characters and other invalid UTF-8, which MLflow allows in
//     names like "acc%step%0%timestamp%1700...") applied to the path percent-decoded again until
//     stable, so that "%2e", "%252e" or "%c0%ae" are never a '.' to anything downstream.
// The path is never decoded for use: a file named "a%20b" stays "a%20b". No Unicode
// normalisation happens anywhere (S3 keys and Linux names are bytes), so U+FF0E is a name.
#pragma once

#include <string>
#include <string_view>

namespace sextant::artifacts {

enum class PathKind {
  File,       // a file: non-empty, no trailing '/'
  Directory,  // a directory: "" is the root, one trailing '/' is dropped
};

// The canonical form: "seg/seg/...", no leading or trailing '/', "" only for the root of a
// Directory. canonical_artifact_path(canonical_artifact_path(p, k), k) == canonical_artifact_path(p, k).
std::string canonical_artifact_path(std::string_view path, PathKind kind);

// True for a canonical path that a DELETE may remove: at or below an entity's artifact directory,
// i.e. it holds the segments "<id>/artifacts", where <id> is a run id (32 hex digits), a logged
// model id ("m-" + 32 hex) or a trace id ("tr-" + 32 hex). MLflow's layout: <experiment>/<run_id>/artifacts,
// <experiment>/models/<model_id>/artifacts, <experiment>/traces/<trace_id>/artifacts; `mlflow gc`
// deletes exactly such directories. Never the root, an experiment's directory or anything above
// an entity's artifact directory.
bool artifact_path_deletable(std::string_view canonical);

// canonical_artifact_path(path, Directory), then PERMISSION_DENIED unless deletable.
std::string canonical_deletable_artifact_path(std::string_view path);

}  // namespace sextant::artifacts
