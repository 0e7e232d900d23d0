// A pull-based stream of bytes (an HTTP request body, a file). Not thread-safe.
#pragma once

#include <cstddef>

namespace sextant::artifacts {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `size` bytes into `buffer`; returns 0 at the end. Throws on I/O errors.
  virtual std::size_t read(char* buffer, std::size_t size) = 0;
};

}  // namespace sextant::artifacts
