// Writes an api::ApiResponse on a connection: JSON/text bodies, files from disk (Beast's
// file_body) and bodies produced after the headers (StreamedBody, relayed through a buffer_body
// serializer), each socket write under the write timeout and minimum rate. Internal to http/.
#pragma once

#include <cstdint>

#include "api/http_types.hpp"
#include "http/connection.hpp"
#include "http/transfer_budget.hpp"

namespace sextant::http {

// What a response put on the wire, for its log line and metrics.
struct Sent {
  std::uintmax_t bytes = 0;  // body bytes: announced for files, relayed for streams
  bool download = false;     // a file or streamed artifact body
};

// Writes `res` (its body is moved out) with the common headers; false when it could not be
// written whole (the connection must close). A file that cannot be opened is answered 404.
bool write_response(Connection& conn, api::ApiResponse& res, unsigned version, bool keep_alive, bool head,
                    TransferBudget budget, Sent& sent);

}  // namespace sextant::http
