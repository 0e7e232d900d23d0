// Content-Type for served artifacts, as MLflow guesses it (mlflow-api.md §2.7). Pure function.
#pragma once

#include <string>
#include <string_view>

namespace sextant::api {

std::string artifact_content_type(std::string_view file_name);

}  // namespace sextant::api
