// The artifact path canonicaliser (src/artifacts/artifact_path). Invariants, for both kinds (file,
// directory): only MlflowError(INVALID_PARAMETER_VALUE) escapes; an accepted path is its own
// canonical form, is never absolute, and neither it nor any further percent-decoding of it (the
// server decodes the URL once; a store or a later hop may decode again) has an empty, "." or ".."
// segment, a backslash, a NUL or a drive letter; a file path is never empty. The delete rule
// refuses with INVALID_PARAMETER_VALUE or PERMISSION_DENIED, and what it accepts is never the root.
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

void check_safe(std::string path) {
  for (int round = 0; round < 64; ++round) {
    FUZZ_CHECK(!path.starts_with("/"));
    FUZZ_CHECK(!(path.size() >= 2 && path[1] == ':' && std::isalpha(static_cast<unsigned char>(path[0]))));
    FUZZ_CHECK(path.find('\\') == std::string::npos);
    FUZZ_CHECK(path.find('\0') == std::string::npos);
    if (!path.empty())
      for (const auto& segment : util::split(path, '/')) FUZZ_CHECK(!segment.empty() && segment != "." && segment != "..");
    std::string decoded = util::percent_decode(path);
    if (decoded == path) break;
    path = std::move(decoded);
  }
}

void check_kind(std::string_view path, artifacts::PathKind kind) {
  std::string canonical;
  if (refused_as_invalid([&] { canonical = artifacts::canonical_artifact_path(path, kind); })) return;
  FUZZ_CHECK(artifacts::canonical_artifact_path(canonical, kind) == canonical);
  FUZZ_CHECK(kind == artifacts::PathKind::Directory || !canonical.empty());
  check_safe(canonical);
}

void check_delete(std::string_view path) {
  try {
    auto canonical = artifacts::canonical_deletable_artifact_path(path);
    FUZZ_CHECK(!canonical.empty());
    FUZZ_CHECK(artifacts::artifact_path_deletable(canonical));
  } catch (const core::MlflowError& e) {
    FUZZ_CHECK(e.code() == core::ErrorCode::INVALID_PARAMETER_VALUE || e.code() == core::ErrorCode::PERMISSION_DENIED);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view path(reinterpret_cast<const char*>(data), size);
  check_kind(path, artifacts::PathKind::File);
  check_kind(path, artifacts::PathKind::Directory);
  check_delete(path);
  return 0;
}
