#include "artifacts/s3/xml.hpp"

#include <cstdint>

#include "util/utf8_encode.hpp"

namespace sextant::artifacts::s3::xml {

namespace {
// Position just after the tag name when `doc[pos]` starts "<tag" or "<prefix:tag" followed by
// whitespace, '>' or '/'; npos otherwise.
std::size_t match_open(std::string_view doc, std::size_t pos, std::string_view tag) {
  std::size_t i = pos + 1;
  std::size_t name_end = i;
  while (name_end < doc.size() && doc[name_end] != '>' && doc[name_end] != '/' && doc[name_end] != ' ' &&
         doc[name_end] != '\t' && doc[name_end] != '\n' && doc[name_end] != '\r')
    ++name_end;
  std::string_view name = doc.substr(i, name_end - i);
  if (auto colon = name.find(':'); colon != std::string_view::npos) name = name.substr(colon + 1);
  return name == tag ? name_end : std::string_view::npos;
}
}  // namespace

std::vector<std::string_view> elements(std::string_view doc, std::string_view tag) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while ((pos = doc.find('<', pos)) != std::string_view::npos) {
    if (pos + 1 < doc.size() && (doc[pos + 1] == '/' || doc[pos + 1] == '?' || doc[pos + 1] == '!')) {
      ++pos;
      continue;
    }
    auto after = match_open(doc, pos, tag);
    if (after == std::string_view::npos) {
      ++pos;
      continue;
    }
    auto gt = doc.find('>', after);
    if (gt == std::string_view::npos) break;
    if (doc[gt - 1] == '/') {  // <tag/>
      out.emplace_back();
      pos = gt + 1;
      continue;
    }
    // Find the matching close tag, counting nested elements of the same name.
    std::size_t depth = 1, scan = gt + 1, content_start = gt + 1;
    while (depth > 0) {
      auto lt = doc.find('<', scan);
      if (lt == std::string_view::npos) return out;
      if (lt + 1 < doc.size() && doc[lt + 1] == '/') {
        std::size_t name_start = lt + 2, name_end = name_start;
        while (name_end < doc.size() && doc[name_end] != '>' && doc[name_end] != ' ') ++name_end;
        std::string_view name = doc.substr(name_start, name_end - name_start);
        if (auto colon = name.find(':'); colon != std::string_view::npos) name = name.substr(colon + 1);
        if (name == tag && --depth == 0) {
          out.push_back(doc.substr(content_start, lt - content_start));
          pos = doc.find('>', lt);
          if (pos == std::string_view::npos) return out;
          break;
        }
      } else if (match_open(doc, lt, tag) != std::string_view::npos) {
        auto inner_gt = doc.find('>', lt);
        if (inner_gt != std::string_view::npos && doc[inner_gt - 1] != '/') ++depth;
      }
      scan = lt + 1;
    }
  }
  return out;
}

std::optional<std::string> text(std::string_view doc, std::string_view tag) {
  auto found = elements(doc, tag);
  if (found.empty()) return std::nullopt;
  return decode(found.front());
}

std::string decode(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '&') {
      out += raw[i];
      continue;
    }
    auto semi = raw.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out += raw[i];
      continue;
    }
    std::string_view ent = raw.substr(i + 1, semi - i - 1);
    if (ent == "amp") out += '&';
    else if (ent == "lt") out += '<';
    else if (ent == "gt") out += '>';
    else if (ent == "quot") out += '"';
    else if (ent == "apos") out += '\'';
    else if (ent.size() > 1 && ent[0] == '#') {
      std::uint32_t cp = 0;
      bool hex = ent[1] == 'x' || ent[1] == 'X';
      bool ok = ent.size() > (hex ? 2u : 1u);
      for (std::size_t k = hex ? 2 : 1; k < ent.size() && ok; ++k) {
        char c = ent[k];
        int d = (c >= '0' && c <= '9') ? c - '0' : (hex && c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (hex && c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
        if (d < 0 || cp > 0x10FFFF) ok = false;
        else cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
      }
      if (!ok) {
        out += raw[i];
        continue;
      }
      util::append_utf8(out, cp);
    } else {
      out += raw[i];
      continue;
    }
    i = semi;
  }
  return out;
}

std::string escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\r': out += "&#13;"; break;
      case '\n': out += "&#10;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace sextant::artifacts::s3::xml
