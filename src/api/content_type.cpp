#include "api/content_type.hpp"

#include <array>
#include <utility>

#include "util/strings.hpp"

namespace sextant::api {

std::string artifact_content_type(std::string_view file_name) {
  auto slash = file_name.rfind('/');
  auto base = slash == std::string_view::npos ? file_name : file_name.substr(slash + 1);
  if (base == "MLmodel" || base == "MLproject") return "text/plain";
  auto dot = base.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  auto ext = util::to_lower(base.substr(dot + 1));
  static constexpr std::array<std::string_view, 26> kText = {
      "txt", "log", "err", "cfg", "conf", "cnf", "cf", "ini", "properties", "prop", "hocon", "toml", "yaml",
      "yml", "xml", "json", "js", "py", "py3", "csv", "tsv", "md", "rst", "text", "sh", "r"};
  for (auto t : kText)
    if (ext == t) return "text/plain";
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 16> kTypes = {{
      {"png", "image/png"}, {"jpg", "image/jpeg"}, {"jpeg", "image/jpeg"}, {"gif", "image/gif"},
      {"bmp", "image/bmp"}, {"webp", "image/webp"}, {"svg", "image/svg+xml"}, {"tif", "image/tiff"},
      {"tiff", "image/tiff"}, {"html", "text/html"}, {"htm", "text/html"}, {"pdf", "application/pdf"},
      {"zip", "application/zip"}, {"gz", "application/gzip"}, {"mp4", "video/mp4"}, {"parquet", "application/octet-stream"},
  }};
  for (auto [e, type] : kTypes)
    if (ext == e) return std::string(type);
  return "application/octet-stream";
}

}  // namespace sextant::api
