// The OTLP/HTTP JSON encoding (OTLP specification, "JSON Protobuf Encoding"): the proto3 JSON
// mapping with lowerCamelCase keys (snake_case accepted too), trace and span ids as hex strings
// (not base64), 64-bit integers as decimal strings or numbers, enums as integers (names
// accepted), bytesValue as base64, doubleValue as a number or "NaN" / "Infinity" / "-Infinity";
// unknown keys and nulls are ignored. Errors: text that is not JSON is OtlpError(Malformed)
// with a message starting "not JSON: "; JSON that is not an OTLP request (wrong types, bad hex,
// several values in one AnyValue) is OtlpError(Malformed) "<path>: <problem>"; the limits of
// DecodeLimits as in protobuf_decoder.hpp. Pure.
#pragma once

#include <string_view>

#include "otlp/otlp_model.hpp"

namespace sextant::otlp {

ExportRequest decode_json(std::string_view body, const DecodeLimits& limits = {});

}  // namespace sextant::otlp
