// Just enough XML for S3 and STS responses: the text of elements found by tag name, in order,
// with the five predefined entities and numeric character references decoded. No DTDs, no
// namespaces beyond ignoring prefixes; S3 responses are flat and machine-written. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sextant::artifacts::s3::xml {

// The raw inner content of every <tag>...</tag> (self-closing <tag/> gives ""), in document order.
std::vector<std::string_view> elements(std::string_view doc, std::string_view tag);
// The decoded text of the first <tag> element, if any.
std::optional<std::string> text(std::string_view doc, std::string_view tag);
// Entity decoding of element text.
std::string decode(std::string_view raw);
// Escapes text for an element body.
std::string escape(std::string_view text);

}  // namespace sextant::artifacts::s3::xml
