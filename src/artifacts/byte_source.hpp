// Pull- and push-based byte streams (an HTTP request body, a file, a download). Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace sextant::artifacts {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `size` bytes into `buffer`; returns 0 at the end. Throws on I/O errors.
  virtual std::size_t read(char* buffer, std::size_t size) = 0;
  // The total number of bytes this source will produce, when known up front (Content-Length).
  virtual std::optional<std::uint64_t> size() const { return std::nullopt; }
};

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  // Consumes `size` bytes; false stops the transfer (the receiver went away).
  virtual bool write(const char* data, std::size_t size) = 0;
};

}  // namespace sextant::artifacts
