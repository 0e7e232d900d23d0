#include "core/validation.hpp"

#include <vector>

#include "core/error.hpp"
#include "util/python_format.hpp"
#include "util/strings.hpp"
#include "util/url.hpp"

namespace sextant::core {

namespace {

// Python's \w for ASCII plus any non-ASCII byte (Unicode letters/digits arrive as UTF-8).
bool is_word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

// posixpath.normpath for relative, non-empty paths.
std::string normpath(std::string_view path) {
  if (path.empty()) return ".";
  bool absolute = path.front() == '/';
  std::vector<std::string> parts;
  for (auto& part : util::split(path, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == ".." && !parts.empty() && parts.back() != "..") {
      parts.pop_back();
    } else if (part == ".." && absolute) {
      continue;
    } else {
      parts.push_back(part);
    }
  }
  std::string out = (absolute ? "/" : "") + util::join(parts, "/");
  return out.empty() ? "." : out;
}

std::string quoted(std::string_view v) { return util::python_json_string(v); }

}  // namespace

void validate_entity_key(std::string_view key, std::string_view param_name) {
  for (unsigned char c : key) {
    if (!(is_word_byte(c) || c == '/' || c == '.' || c == '-' || c == ' ' || c == ':')) {
      throw_invalid("Invalid value " + quoted(key) + " for parameter '" + std::string(param_name) +
                    "' supplied: Names may only contain alphanumerics, underscores (_), dashes (-), "
                    "periods (.), spaces ( ), colon(:) and slashes (/).");
    }
  }
  std::string norm = normpath(key);
  if (norm != key || key == "." || key.starts_with("..") || key.starts_with("/")) {
    throw_invalid("Invalid value " + quoted(key) + " for parameter '" + std::string(param_name) +
                  "' supplied: Names may be treated as files in certain cases, and must not resolve to "
                  "other names when treated as such. This name would resolve to '" + norm + "'");
  }
}

void validate_length(std::string_view value, std::size_t max_chars, std::string_view what) {
  if (value.size() > max_chars && util::utf8_length(value) > max_chars) {
    throw_invalid("'" + std::string(what) + "' exceeds the maximum length of " + std::to_string(max_chars) +
                  " characters");
  }
}

void validate_text_column(std::string_view value, std::string_view what) {
  if (value.size() > limits::kMaxTextColumn) {
    throw_invalid("'" + std::string(what) + "' exceeds the maximum length of " +
                  std::to_string(limits::kMaxTextColumn) + " bytes.");
  }
}

void validate_run_id_format(std::string_view run_id) {
  bool ok = !run_id.empty() && run_id.size() <= 256;
  if (ok) {
    auto first = static_cast<unsigned char>(run_id[0]);
    ok = (first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') || (first >= '0' && first <= '9');
    for (std::size_t i = 1; ok && i < run_id.size(); ++i) {
      auto c = static_cast<unsigned char>(run_id[i]);
      ok = (is_word_byte(c) && c < 0x80) || c == '-';
    }
  }
  if (!ok) throw_invalid("Invalid value " + quoted(run_id) + " for parameter 'run_id' supplied.");
}

void validate_artifact_location(std::string_view location) {
  if (location.find('#') != std::string_view::npos) {
    throw_invalid("'artifact_location' URL can't include fragments or params.");
  }
  auto scheme_end = location.find("://");
  auto path_part = scheme_end == std::string_view::npos ? location : location.substr(scheme_end + 3);
  auto query_pos = path_part.find('?');
  auto before_query = path_part.substr(0, query_pos);
  if (before_query.find(';') != std::string_view::npos) {
    throw_invalid("'artifact_location' URL can't include fragments or params.");
  }
  if (query_pos != std::string_view::npos) {
    std::string query(path_part.substr(query_pos + 1));
    for (int i = 0; i < 10; ++i) {
      std::string decoded = util::percent_decode(query);
      if (decoded == query) break;
      query = decoded;
    }
    if (query.find("..") != std::string::npos) throw_invalid("Invalid query string");
  }
  if (util::utf8_length(location) > limits::kMaxArtifactLocation) {
    throw_invalid("Invalid artifact path length. The length of the artifact path cannot be greater than " +
                  std::to_string(limits::kMaxArtifactLocation) + " characters.");
  }
}

std::string truncate_param_value(std::string_view value) {
  return util::utf8_truncate(value, limits::kMaxParamValue);
}

std::string truncate_tag_value(std::string_view value) { return util::utf8_truncate(value, limits::kMaxTagValue); }

bool is_valid_run_status(std::string_view s) {
  return s == "RUNNING" || s == "SCHEDULED" || s == "FINISHED" || s == "FAILED" || s == "KILLED";
}

}  // namespace sextant::core
