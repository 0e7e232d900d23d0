// The OTLP/HTTP binary encoding: an ExportTraceServiceRequest in protobuf wire format, decoded
// by hand (no libprotobuf) for exactly the fields otlp_model.hpp holds. Strict: a truncated or
// over-long varint, a length past the end of its message, wire types 3, 4, 6 and 7, a known field
// sent with another wire type, field number 0, strings that are not UTF-8, and nesting deeper
// than DecodeLimits::max_depth are OtlpError(Malformed); a model larger than max_model_bytes is
// OtlpError(TooLarge). Unknown fields are skipped (proto3). Pure.
#pragma once

#include <string_view>

#include "otlp/otlp_model.hpp"

namespace sextant::otlp {

ExportRequest decode_protobuf(std::string_view body, const DecodeLimits& limits = {});

}  // namespace sextant::otlp
