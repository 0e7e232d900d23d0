#include "artifacts/artifact_path.hpp"

#include <array>
#include <cctype>

#include "core/error.hpp"
#include "util/strings.hpp"
#include "util/url.hpp"

namespace sextant::artifacts {

namespace {

constexpr std::size_t kMaxPathBytes = 4096;
constexpr std::size_t kMaxSegmentBytes = 255;
constexpr int kMaxDecodeRounds = 8;  // "%2525252525252525" and deeper is nobody's file name

// The answer is MLflow's exact message (validate_path_is_safe: "Invalid path"; its tests compare
// the whole body); `why` names the rule at each call site.
[[noreturn]] void invalid([[maybe_unused]] std::string_view why) { core::throw_invalid("Invalid path"); }

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

// An overlong UTF-8 form (C0/C1 leads, E0 80-9F, F0 80-8F): how '.', '/' and '\' are smuggled
// past byte-wise checks into decoders that accept them.
bool has_overlong_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == 0xc0 || c == 0xc1) return true;
    if (i + 1 < s.size()) {
      auto next = static_cast<unsigned char>(s[i + 1]);
      if ((c == 0xe0 && next >= 0x80 && next < 0xa0) || (c == 0xf0 && next >= 0x80 && next < 0x90)) return true;
    }
  }
  return false;
}

bool is_scheme_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
}

// "C:", "c:x": a Windows drive; "file:", "s3:x", "mlflow-artifacts:y", "x:": a URI scheme.
bool drive_or_scheme(std::string_view first_segment) {
  auto colon = first_segment.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  auto token = first_segment.substr(0, colon);
  if (!std::isalpha(static_cast<unsigned char>(token[0]))) return false;
  for (char c : token)
    if (!is_scheme_char(c)) return false;
  if (token.size() == 1 || colon + 1 == first_segment.size()) return true;
  static constexpr std::array<std::string_view, 24> kSchemes = {
      "file", "s3",     "s3a",   "s3n",    "gs",   "http",   "https", "ftp",    "sftp",   "hdfs", "viewfs",
      "wasb", "wasbs",  "abfs",  "abfss",  "dbfs", "runs",   "models", "mlflow-artifacts", "oci", "uc",
      "data", "javascript", "ws"};
  std::string lower;
  for (char c : token) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (auto s : kSchemes)
    if (lower == s) return true;
  return false;
}

// The rules shared by the path as given and its repeatedly decoded form.
void check_shape(std::string_view p) {
  if (p.find('\\') != std::string_view::npos) invalid("backslashes are not allowed");
  if (p.find('#') != std::string_view::npos) invalid("'#' is not allowed");
  if (p.find('\0') != std::string_view::npos) invalid("NUL is not allowed");
  if (p.starts_with('/')) invalid("absolute paths are not allowed");
  if (has_overlong_utf8(p)) invalid("overlong UTF-8 is not allowed");
  std::size_t start = 0;
  bool first = true;
  while (start <= p.size()) {
    auto end = p.find('/', start);
    if (end == std::string_view::npos) end = p.size();
    auto seg = p.substr(start, end - start);
    if (seg.empty()) invalid("empty path segments are not allowed");
    if (seg == "." || seg == "..") invalid("'.' and '..' segments are not allowed");
    if (seg.size() > kMaxSegmentBytes) invalid("a path segment is longer than 255 bytes");
    if (first && drive_or_scheme(seg)) invalid("drive letters and URI schemes are not allowed");
    first = false;
    start = end + 1;
  }
}

}  // namespace

std::string canonical_artifact_path(std::string_view path, PathKind kind) {
  if (path.size() > kMaxPathBytes) invalid("longer than 4096 bytes");
  for (std::size_t i = 0; i < path.size(); ++i) {
    auto c = static_cast<unsigned char>(path[i]);
    bool c1 = c == 0xc2 && i + 1 < path.size() && static_cast<unsigned char>(path[i + 1]) < 0xa0;  // U+0080-U+009F
    if (is_control(c) || c1) invalid("control characters are not allowed");
  }
  if (!util::valid_utf8(path)) invalid("not valid UTF-8");
  if (path.starts_with('/')) invalid("absolute paths are not allowed");
  if (path.ends_with('/')) {
    if (kind == PathKind::File) invalid("a file name is required");
    path.remove_suffix(1);
  }
  if (path.empty()) {
    if (kind == PathKind::File) invalid("a file name is required");
    return "";
  }
  check_shape(path);
  // Never used, only checked: what a second (third...) decoder downstream would see. A name that
  // decodes to a separator at the end ("a%2F") is refused too: it would be an empty segment.
  std::string decoded(path);
  for (int round = 0;; ++round) {
    std::string next = util::percent_decode(decoded);
    if (next == decoded) break;
    if (round == kMaxDecodeRounds) invalid("percent-encoded too many times");
    decoded = std::move(next);
  }
  if (decoded != path) {
    if (decoded.empty()) invalid("the path decodes to nothing");
    check_shape(decoded);
  }
  return std::string(path);
}

bool artifact_path_deletable(std::string_view canonical) {
  auto hex32 = [](std::string_view s) {
    if (s.size() != 32) return false;
    for (char c : s)
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
  };
  auto entity_id = [&](std::string_view s) {
    if (s.starts_with("m-")) s.remove_prefix(2);
    else if (s.starts_with("tr-")) s.remove_prefix(3);
    return hex32(s);
  };
  std::string_view previous;
  std::size_t start = 0;
  while (start < canonical.size()) {
    auto end = canonical.find('/', start);
    if (end == std::string_view::npos) end = canonical.size();
    auto seg = canonical.substr(start, end - start);
    if (seg == "artifacts" && entity_id(previous)) return true;
    previous = seg;
    start = end + 1;
  }
  return false;
}

std::string canonical_deletable_artifact_path(std::string_view path) {
  auto canonical = canonical_artifact_path(path, PathKind::Directory);
  if (!artifact_path_deletable(canonical)) {
    throw core::MlflowError(core::ErrorCode::PERMISSION_DENIED,
                            "Refusing to delete '" + canonical +
                                "': only a run's, logged model's or trace's artifact directory "
                                "(<experiment>/<run_id>/artifacts, <experiment>/models/<model_id>/artifacts) or "
                                "something inside it may be deleted");
  }
  return canonical;
}

}  // namespace sextant::artifacts
