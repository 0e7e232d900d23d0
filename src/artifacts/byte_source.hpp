// Pull- and push-based byte streams (an HTTP request body, a file, a download). Not thread-safe.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

namespace sextant::artifacts {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `size` bytes into `buffer`; returns 0 at the end. Throws on I/O errors.
  virtual std::size_t read(char* buffer, std::size_t size) = 0;
  // The total number of bytes this source will produce, when known up front (Content-Length).
  virtual std::optional<std::uint64_t> size() const { return std::nullopt; }
};

// The bytes of a string held in memory (small generated files).
class StringSource final : public ByteSource {
 public:
  explicit StringSource(std::string data) : data_(std::move(data)) {}
  std::size_t read(char* buffer, std::size_t size) override {
    std::size_t n = std::min(size, data_.size() - offset_);
    std::memcpy(buffer, data_.data() + offset_, n);
    offset_ += n;
    return n;
  }
  std::optional<std::uint64_t> size() const override { return data_.size(); }

 private:
  std::string data_;
  std::size_t offset_ = 0;
};

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  // Consumes `size` bytes; false stops the transfer (the receiver went away).
  virtual bool write(const char* data, std::size_t size) = 0;
};

}  // namespace sextant::artifacts
