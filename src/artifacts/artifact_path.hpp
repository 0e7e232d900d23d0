// MLflow's artifact path safety rule ("validate_path_is_safe", mlflow-api.md §2.7).
// Pure function; throws core::MlflowError(INVALID_PARAMETER_VALUE, "Invalid path") when the
// path, percent-decoded repeatedly until stable, contains '#', a backslash, a ".." segment,
// or is absolute (POSIX or Windows form), and when the path as given contains a NUL.
#pragma once

#include <string_view>

namespace sextant::artifacts {

void validate_artifact_path(std::string_view path);

}  // namespace sextant::artifacts
