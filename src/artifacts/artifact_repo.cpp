#include "artifacts/artifact_repo.hpp"

#include <charconv>

#include "core/error.hpp"

namespace sextant::artifacts {

namespace {
[[noreturn]] void multipart_unsupported() {
  throw core::MlflowError(core::ErrorCode::NOT_IMPLEMENTED,
                          "Multipart upload is not supported for the current artifact repository");
}

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}
}  // namespace

MultipartCreated ArtifactRepo::create_multipart(std::string_view, int) const { multipart_unsupported(); }
void ArtifactRepo::complete_multipart(std::string_view, const std::string&, const std::vector<MultipartPart>&) const {
  multipart_unsupported();
}
void ArtifactRepo::abort_multipart(std::string_view, const std::string&) const { multipart_unsupported(); }

std::optional<ByteRange> parse_range_header(std::string_view header, std::uint64_t size) {
  constexpr std::string_view kUnit = "bytes=";
  if (!header.starts_with(kUnit)) return std::nullopt;
  auto spec = header.substr(kUnit.size());
  if (spec.find(',') != std::string_view::npos) return std::nullopt;  // several ranges: whole file
  auto dash = spec.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto first_s = spec.substr(0, dash), last_s = spec.substr(dash + 1);
  ByteRange r;
  if (first_s.empty()) {  // suffix: the last N bytes
    auto n = parse_u64(last_s);
    if (!n) return std::nullopt;
    if (*n == 0 || size == 0) throw RangeNotSatisfiable{};
    r.first = *n >= size ? 0 : size - *n;
    r.last = size - 1;
    return r;
  }
  auto first = parse_u64(first_s);
  if (!first) return std::nullopt;
  std::optional<std::uint64_t> last;
  if (!last_s.empty()) {
    last = parse_u64(last_s);
    if (!last || *last < *first) return std::nullopt;
  }
  if (*first >= size) throw RangeNotSatisfiable{};
  r.first = *first;
  r.last = last ? std::min(*last, size - 1) : size - 1;
  return r;
}

}  // namespace sextant::artifacts
