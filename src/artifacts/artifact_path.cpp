#include "artifacts/artifact_path.hpp"

#include <cctype>
#include <string>

#include "core/error.hpp"
#include "util/strings.hpp"
#include "util/url.hpp"

namespace sextant::artifacts {

void validate_artifact_path(std::string_view raw) {
  std::string path(raw);
  if (path.starts_with("file://")) path = path.substr(7);
  for (int i = 0; i < 16; ++i) {  // decode until stable (bounded)
    std::string decoded = util::percent_decode(path);
    if (decoded == path) break;
    path = std::move(decoded);
  }
  auto invalid = [] { core::throw_invalid("Invalid path"); };
  // MLflow re-escapes control characters produced by decoding (they may come from names such
  // as "acc%step%0%timestamp%1700..."), so only a NUL in the path as given is refused here.
  if (raw.find('\0') != std::string_view::npos) invalid();
  if (path.find('#') != std::string::npos || path.find('\\') != std::string::npos) invalid();
  if (path.starts_with("/")) invalid();
  if (path.size() >= 2 && path[1] == ':' && std::isalpha(static_cast<unsigned char>(path[0]))) invalid();
  for (const auto& segment : util::split(path, '/'))
    if (segment == "..") invalid();
}

}  // namespace sextant::artifacts
