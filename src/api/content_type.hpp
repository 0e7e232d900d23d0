// Download headers for served artifacts, as MLflow writes them (mlflow-api.md §2.7). Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace sextant::api {

// mlflow.utils.mime_type_utils._guess_mime_type: MLflow's text extensions (and the file names
// MLmodel / mlproject) are text/plain; otherwise Python's built-in mimetypes map (suffix and
// encoding rules included: .tar.gz is application/x-tar, .gz alone unknown), plus image/webp;
// unknown: application/octet-stream.
std::string artifact_content_type(std::string_view file_name);

// Content-Disposition as Flask's send_file writes it for `file_name`'s last segment:
// `attachment; filename=name` (quoted with \-escapes unless every character is an HTTP token
// character); a non-ASCII name adds `filename*=UTF-8''<percent-encoded>` and keeps an ASCII
// fallback (accents stripped, other characters dropped). Control characters become '_'.
std::string attachment_disposition(std::string_view file_name);

}  // namespace sextant::api
