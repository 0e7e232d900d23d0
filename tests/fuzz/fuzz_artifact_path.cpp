// The artifact path rule (src/artifacts/artifact_path: MLflow's validate_path_is_safe). Invariant:
// an accepted path, decoded any number of times (the server decodes the URL once; a store or a
// later hop may decode again), never has a ".." segment, a backslash or '#', is never absolute
// (POSIX or drive letter) and held no NUL. check() is the one place to re-point when the rule
// is replaced by the canonicaliser.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "artifacts/artifact_path.hpp"
#include "core/error.hpp"
#include "fuzz_check.hpp"
#include "util/strings.hpp"
#include "util/url.hpp"

using namespace sextant;

namespace {

bool accepted(std::string_view path) {
  return !refused_as_invalid([&] { artifacts::validate_artifact_path(path); });
}

void check_safe(std::string path) {
  if (path.starts_with("file://")) path = path.substr(7);
  for (int round = 0; round < 16; ++round) {
    FUZZ_CHECK(!path.starts_with("/"));
    FUZZ_CHECK(!(path.size() >= 2 && path[1] == ':' && std::isalpha(static_cast<unsigned char>(path[0]))));
    FUZZ_CHECK(path.find('\\') == std::string::npos);
    for (auto segment : util::split(path, '/')) FUZZ_CHECK(segment != "..");
    std::string decoded = util::percent_decode(path);
    if (decoded == path) break;
    path = std::move(decoded);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view path(reinterpret_cast<const char*>(data), size);
  if (!accepted(path)) return 0;
  FUZZ_CHECK(path.find('\0') == std::string_view::npos);
  check_safe(std::string(path));
  return 0;
}
