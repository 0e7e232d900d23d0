// A request body pulled from a connection under the body timeout and minimum rate: the ByteSource
// handed to streaming (upload) routes, the reader of the others, and the drain of bodies nobody
// needs. Internal to http/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "api/http_types.hpp"
#include "artifacts/byte_source.hpp"
#include "http/connection.hpp"
#include "http/transfer_budget.hpp"

namespace sextant::http {

class BodyReader final : public artifacts::ByteSource {
 public:
  BodyReader(Connection& conn, boost::beast::flat_buffer& buffer, RequestParser& parser, TransferBudget budget)
      : conn_(conn), buffer_(buffer), parser_(parser), budget_(budget) {}

  // The announced Content-Length (none when chunked).
  std::optional<std::uint64_t> size() const override;
  // Throws core::MlflowError (BAD_REQUEST) when the body times out, is malformed or cut short;
  // from then on failed() is true and the connection must close.
  std::size_t read(char* out, std::size_t size) override;
  // Reads and discards the rest of the body, up to `limit` bytes; false when it could not.
  bool drain(std::size_t limit);

  std::size_t bytes() const { return bytes_; }
  bool failed() const { return static_cast<bool>(error_); }
  // The answer to a failed body: 408 when it timed out, else 400.
  api::ApiResponse failure_response() const;

 private:
  [[noreturn]] void throw_failure() const;

  Connection& conn_;
  boost::beast::flat_buffer& buffer_;
  RequestParser& parser_;
  TransferBudget budget_;
  boost::beast::error_code error_;
  std::size_t bytes_ = 0;
};

}  // namespace sextant::http
