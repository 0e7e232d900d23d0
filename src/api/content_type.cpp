#include "api/content_type.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <utility>

#include "util/strings.hpp"

namespace sextant::api {

namespace {

std::string_view base_name(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// posixpath.splitext: the extension from the last '.', unless only dots precede it.
std::pair<std::string_view, std::string_view> split_ext(std::string_view name) {
  auto dot = name.rfind('.');
  if (dot == std::string_view::npos) return {name, {}};
  if (name.find_first_not_of('.') >= dot) return {name, {}};
  return {name.substr(0, dot), name.substr(dot)};
}

// Python 3.11's mimetypes.types_map (strict, built in) and image/webp.
constexpr std::array<std::pair<std::string_view, std::string_view>, 150> kTypes = {{
    {"3g2", "audio/3gpp2"}, {"3gp", "audio/3gpp"}, {"3gpp", "audio/3gpp"}, {"3gpp2", "audio/3gpp2"},
    {"a", "application/octet-stream"}, {"aac", "audio/aac"}, {"adts", "audio/aac"}, {"ai", "application/postscript"},
    {"aif", "audio/x-aiff"}, {"aifc", "audio/x-aiff"}, {"aiff", "audio/x-aiff"}, {"ass", "audio/aac"},
    {"au", "audio/basic"}, {"avi", "video/x-msvideo"}, {"avif", "image/avif"}, {"bat", "text/plain"},
    {"bcpio", "application/x-bcpio"}, {"bin", "application/octet-stream"}, {"bmp", "image/bmp"}, {"c", "text/plain"},
    {"cdf", "application/x-netcdf"}, {"cpio", "application/x-cpio"}, {"csh", "application/x-csh"}, {"css", "text/css"},
    {"csv", "text/csv"}, {"dll", "application/octet-stream"}, {"doc", "application/msword"},
    {"dot", "application/msword"}, {"dvi", "application/x-dvi"}, {"eml", "message/rfc822"},
    {"eps", "application/postscript"}, {"etx", "text/x-setext"}, {"exe", "application/octet-stream"},
    {"gif", "image/gif"}, {"gtar", "application/x-gtar"}, {"h", "text/plain"}, {"h5", "application/x-hdf5"},
    {"hdf", "application/x-hdf"}, {"heic", "image/heic"}, {"heif", "image/heif"}, {"htm", "text/html"},
    {"html", "text/html"}, {"ico", "image/vnd.microsoft.icon"}, {"ief", "image/ief"}, {"jpe", "image/jpeg"},
    {"jpeg", "image/jpeg"}, {"jpg", "image/jpeg"}, {"js", "application/javascript"}, {"json", "application/json"},
    {"ksh", "text/plain"}, {"latex", "application/x-latex"}, {"loas", "audio/aac"}, {"m1v", "video/mpeg"},
    {"m3u", "application/vnd.apple.mpegurl"}, {"m3u8", "application/vnd.apple.mpegurl"},
    {"man", "application/x-troff-man"}, {"me", "application/x-troff-me"}, {"mht", "message/rfc822"},
    {"mhtml", "message/rfc822"}, {"mif", "application/x-mif"}, {"mjs", "application/javascript"},
    {"mov", "video/quicktime"}, {"movie", "video/x-sgi-movie"}, {"mp2", "audio/mpeg"}, {"mp3", "audio/mpeg"},
    {"mp4", "video/mp4"}, {"mpa", "video/mpeg"}, {"mpe", "video/mpeg"}, {"mpeg", "video/mpeg"}, {"mpg", "video/mpeg"},
    {"ms", "application/x-troff-ms"}, {"n3", "text/n3"}, {"nc", "application/x-netcdf"}, {"nq", "application/n-quads"},
    {"nt", "application/n-triples"}, {"nws", "message/rfc822"}, {"o", "application/octet-stream"},
    {"obj", "application/octet-stream"}, {"oda", "application/oda"}, {"opus", "audio/opus"},
    {"p12", "application/x-pkcs12"}, {"p7c", "application/pkcs7-mime"}, {"pbm", "image/x-portable-bitmap"},
    {"pdf", "application/pdf"}, {"pfx", "application/x-pkcs12"}, {"pgm", "image/x-portable-graymap"},
    {"pl", "text/plain"}, {"png", "image/png"}, {"pnm", "image/x-portable-anymap"},
    {"pot", "application/vnd.ms-powerpoint"}, {"ppa", "application/vnd.ms-powerpoint"},
    {"ppm", "image/x-portable-pixmap"}, {"pps", "application/vnd.ms-powerpoint"},
    {"ppt", "application/vnd.ms-powerpoint"}, {"ps", "application/postscript"},
    {"pwz", "application/vnd.ms-powerpoint"}, {"py", "text/x-python"}, {"pyc", "application/x-python-code"},
    {"pyo", "application/x-python-code"}, {"qt", "video/quicktime"}, {"ra", "audio/x-pn-realaudio"},
    {"ram", "application/x-pn-realaudio"}, {"ras", "image/x-cmu-raster"}, {"rdf", "application/xml"},
    {"rgb", "image/x-rgb"}, {"roff", "application/x-troff"}, {"rtx", "text/richtext"}, {"sgm", "text/x-sgml"},
    {"sgml", "text/x-sgml"}, {"sh", "application/x-sh"}, {"shar", "application/x-shar"}, {"snd", "audio/basic"},
    {"so", "application/octet-stream"}, {"src", "application/x-wais-source"}, {"srt", "text/plain"},
    {"sv4cpio", "application/x-sv4cpio"}, {"sv4crc", "application/x-sv4crc"}, {"svg", "image/svg+xml"},
    {"swf", "application/x-shockwave-flash"}, {"t", "application/x-troff"}, {"tar", "application/x-tar"},
    {"tcl", "application/x-tcl"}, {"tex", "application/x-tex"}, {"texi", "application/x-texinfo"},
    {"texinfo", "application/x-texinfo"}, {"tif", "image/tiff"}, {"tiff", "image/tiff"}, {"tr", "application/x-troff"},
    {"trig", "application/trig"}, {"tsv", "text/tab-separated-values"}, {"txt", "text/plain"},
    {"ustar", "application/x-ustar"}, {"vcf", "text/x-vcard"}, {"vtt", "text/vtt"}, {"wasm", "application/wasm"},
    {"wav", "audio/x-wav"}, {"webm", "video/webm"}, {"webmanifest", "application/manifest+json"},
    {"webp", "image/webp"}, {"wiz", "application/msword"}, {"wsdl", "application/xml"}, {"xbm", "image/x-xbitmap"},
    {"xlb", "application/vnd.ms-excel"}, {"xls", "application/vnd.ms-excel"}, {"xml", "text/xml"},
    {"xpdl", "application/xml"}, {"xpm", "image/x-xpixmap"}, {"xsl", "application/xml"},
    {"xwd", "image/x-xwindowdump"}, {"zip", "application/zip"},
}};

// mimetypes.suffix_map and encodings_map (keys case-sensitive for encodings, as Python's).
constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kSuffixes = {{
    {".svgz", ".svg.gz"}, {".tgz", ".tar.gz"}, {".taz", ".tar.gz"}, {".tz", ".tar.gz"}, {".tbz2", ".tar.bz2"},
    {".txz", ".tar.xz"}}};
constexpr std::array<std::string_view, 5> kEncodings = {".gz", ".Z", ".bz2", ".xz", ".br"};

// mimetypes.guess_type(name)[0], "" when unknown.
std::string_view python_guess_type(std::string_view name) {
  std::string current(name);
  auto [base, ext] = split_ext(current);
  std::string stem(base), suffix(ext);
  for (int round = 0; round < 8; ++round) {  // suffix_map entries never chain further
    auto lower = util::to_lower(suffix);
    auto it = std::find_if(kSuffixes.begin(), kSuffixes.end(), [&](const auto& s) { return s.first == lower; });
    if (it == kSuffixes.end()) break;
    current = stem + std::string(it->second);
    auto [b, e] = split_ext(current);
    stem = std::string(b);
    suffix = std::string(e);
  }
  if (std::find(kEncodings.begin(), kEncodings.end(), suffix) != kEncodings.end()) {
    auto [b, e] = split_ext(stem);
    suffix = std::string(e);
  }
  auto lower = util::to_lower(suffix);
  for (const auto& [e, type] : kTypes)
    if (!lower.empty() && lower.substr(1) == e) return type;
  return {};
}

// MLflow's get_text_extensions(), with MLMODEL_FILE_NAME and MLPROJECT_FILE_NAME.
constexpr std::array<std::string_view, 25> kTextExtensions = {
    "txt",  "log", "err", "cfg", "conf", "cnf", "cf", "ini", "properties", "prop", "hocon", "toml", "yaml",
    "yml", "xml", "json", "js", "py", "py3", "csv", "tsv", "md", "rst", "MLmodel", "mlproject"};

bool is_token_char(unsigned char c) {
  static constexpr std::string_view kToken =
      "!#$%&'*+-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ^_`abcdefghijklmnopqrstuvwxyz|~";
  return kToken.find(static_cast<char>(c)) != std::string_view::npos;
}

// werkzeug.http.quote_header_value.
std::string quote_header_value(std::string_view value) {
  if (value.empty()) return "\"\"";
  if (std::all_of(value.begin(), value.end(), [](char c) { return is_token_char(static_cast<unsigned char>(c)); })) {
    return std::string(value);
  }
  std::string out = "\"";
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  return out + "\"";
}

// unicodedata.normalize("NFKD", s).encode("ascii", "ignore") for Latin-1 Supplement and Latin
// Extended-A ('?': nothing remains); other non-ASCII characters are dropped.
constexpr std::string_view kLatinBase =
    "AAAAAA?CEEEEIIII?NOOOOO??UUUUY??aaaaaa?ceeeeiiii?nooooo??uuuuy?yAaAaAaCcCcCcCcDd??EeEeEeEeEeGgGgGgGgHh??IiIiIi"
    "IiI?..JjKk?LlLlLlLl??NnNnNnn??OoOoOo??RrRrRrSsSsSsSsTtTt??UuUuUuUuUuUuWwYyYZzZzZzs";

std::string ascii_fallback(std::string_view utf8) {
  std::string out;
  for (std::size_t i = 0; i < utf8.size();) {
    std::size_t len = util::utf8_sequence_at(utf8, i);
    auto b = static_cast<unsigned char>(utf8[i]);
    if (len == 1) {
      out += utf8[i];
    } else if (len == 2) {
      unsigned cp = ((b & 0x1fu) << 6) | (static_cast<unsigned char>(utf8[i + 1]) & 0x3fu);
      if (cp == 0x132) out += "IJ";
      else if (cp == 0x133) out += "ij";
      else if (cp >= 0xc0 && cp < 0x180 && kLatinBase[cp - 0xc0] != '?') out += kLatinBase[cp - 0xc0];
    }
    i += len == 0 ? 1 : len;
  }
  return out;
}

// urllib.parse.quote(s, safe="!#$&+-.^_`|~") of the UTF-8 bytes.
std::string rfc5987_quote(std::string_view utf8) {
  static constexpr std::string_view kSafe = "!#$&+-.^_`|~";
  std::string out;
  for (unsigned char c : utf8) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum || kSafe.find(static_cast<char>(c)) != std::string_view::npos) {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace

std::string artifact_content_type(std::string_view file_name) {
  std::string_view name = base_name(file_name);
  std::string_view extension = split_ext(name).second;
  if (!extension.empty()) extension.remove_prefix(1);
  if (extension.empty()) extension = name;
  if (std::find(kTextExtensions.begin(), kTextExtensions.end(), extension) != kTextExtensions.end()) return "text/plain";
  std::string_view type = python_guess_type(name);
  return type.empty() ? "application/octet-stream" : std::string(type);
}

std::string attachment_disposition(std::string_view file_name) {
  std::string name;
  for (char c : base_name(file_name)) {
    auto u = static_cast<unsigned char>(c);
    name += (u < 0x20 || u == 0x7f) ? '_' : c;
  }
  bool ascii = std::all_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) return "attachment; filename=" + quote_header_value(name);
  return "attachment; filename=" + quote_header_value(ascii_fallback(name)) + "; filename*=UTF-8''" +
         rfc5987_quote(name);
}

}  // namespace sextant::api
