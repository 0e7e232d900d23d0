// How a request's body is delimited (RFC 9112 §6) and the head fields whose repetition would let a
// proxy and this server disagree about the message (request smuggling). Pure; no Beast.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sextant::http {

// The field lines of one request head that decide its framing, each in the order received.
struct FramingFields {
  unsigned version = 11;  // 10 = HTTP/1.0, 11 = HTTP/1.1
  std::vector<std::string_view> transfer_encoding;
  std::vector<std::string_view> content_length;
  std::vector<std::string_view> host;
};

// The refusal of a request head: `status` 0 = acceptable; otherwise 400 (or 501 for a transfer
// coding other than chunked) with a message for the client. Every refusal closes the connection.
struct FramingVerdict {
  int status = 0;
  std::string message;
  bool ok() const { return status == 0; }
};

// Accepted: no Transfer-Encoding and at most one Content-Length of plain digits; or
// Transfer-Encoding exactly "chunked" (any case, one field) on HTTP/1.1 without Content-Length.
// Refused: unknown codings (xchunked, gzip, ...), chunked not last or twice, TE with CL, TE on
// HTTP/1.0, repeated or list-valued Content-Length (even with equal values), a missing (HTTP/1.1)
// or repeated Host.
FramingVerdict check_framing(const FramingFields& fields);

}  // namespace sextant::http
