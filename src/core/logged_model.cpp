#include "core/logged_model.hpp"

#include "core/error.hpp"
#include "core/validation.hpp"
#include "util/strings.hpp"

namespace sextant::core {

namespace {
constexpr std::string_view kStatusNames[] = {"LOGGED_MODEL_STATUS_UNSPECIFIED", "LOGGED_MODEL_PENDING",
                                             "LOGGED_MODEL_READY", "LOGGED_MODEL_UPLOAD_FAILED"};
}  // namespace

std::string_view logged_model_status_name(LoggedModelStatus status) {
  auto i = static_cast<std::size_t>(status);
  return i < std::size(kStatusNames) ? kStatusNames[i] : kStatusNames[0];
}

std::optional<LoggedModelStatus> parse_logged_model_status(std::string_view text) {
  for (std::size_t i = 0; i < std::size(kStatusNames); ++i) {
    if (text == kStatusNames[i] || (text.size() == 1 && text[0] == static_cast<char>('0' + i))) {
      return static_cast<LoggedModelStatus>(i);
    }
  }
  return std::nullopt;
}

LoggedModelStatus logged_model_status_from_int(std::int64_t value) {
  if (value < 0 || value > 3) return LoggedModelStatus::Unspecified;
  return static_cast<LoggedModelStatus>(value);
}

void validate_logged_model_name(std::string_view name) {
  constexpr std::string_view kBad = "/:.%\"'";
  if (name.empty() || name.find_first_of(kBad) != std::string_view::npos) {
    throw_invalid("Invalid model name (" + util::python_repr(name) +
                  ") provided. Model name must be a non-empty string and cannot contain the following characters: "
                  "('/', ':', '.', '%', '\"', \"'\")");
  }
  validate_length(name, limits::kMaxLoggedModelName, "name");
}

}  // namespace sextant::core
