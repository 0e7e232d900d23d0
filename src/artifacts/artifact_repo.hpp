// The storage behind artifact URIs: one interface for local disk (LocalArtifactRepo) and S3
// (s3::S3ArtifactRepo), chosen by URI (repo_factory.hpp). Paths are relative to the repository's
// root; every implementation checks them with canonical_artifact_path and confines them to its root.
// Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "artifacts/byte_source.hpp"
#include "core/entities.hpp"

namespace sextant::artifacts {

// An inclusive byte range of a file, already resolved against its size (first <= last < size).
struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  std::uint64_t length() const { return last - first + 1; }
};

// A file's size and version tag (S3 ETag, or "" on local disk).
struct FileStat {
  std::uint64_t size = 0;
  std::string etag;
};

// MLflow's multipart upload through presigned part URLs (mlflow-api.md §2.7, mpu/*).
struct MultipartCredential {
  int part_number = 0;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
};
struct MultipartCreated {
  std::string upload_id;
  std::vector<MultipartCredential> credentials;
};
struct MultipartPart {
  int part_number = 0;
  std::string etag;
};

class ArtifactRepo {
 public:
  virtual ~ArtifactRepo() = default;

  // The repository's root as a URI or path ("s3://bucket/prefix", "/var/lib/artifacts").
  virtual std::string root_uri() const = 0;
  // Streams `source` to <root>/<relative>, replacing any file.
  virtual void write(std::string_view relative, ByteSource& source) const = 0;
  // The file's size, or nullopt when there is no file at that path (a directory is no file).
  virtual std::optional<FileStat> stat(std::string_view relative) const = 0;
  // Sends the bytes of the file (all, or `range`) to `sink`. `expected` (from stat) lets
  // implementations refuse a file that changed in between. RESOURCE_DOES_NOT_EXIST when missing.
  virtual void read(std::string_view relative, const std::optional<ByteRange>& range, const FileStat* expected,
                    ByteSink& sink) const = 0;
  // For repositories on local disk: the file to send directly (nullopt when missing or not local).
  virtual std::optional<std::filesystem::path> local_file(std::string_view /*relative*/) const {
    return std::nullopt;
  }
  // Direct children of <root>/<relative> with `prefix` + basename as path, sorted by path;
  // empty when the directory does not exist or is a file.
  virtual std::vector<core::FileInfo> list(std::string_view relative, const std::string& prefix) const = 0;
  // Removes a file or a directory tree; a missing path is a no-op. The root itself is refused.
  virtual void remove(std::string_view relative) const = 0;

  // Multipart uploads with presigned part URLs; the defaults answer NOT_IMPLEMENTED with the
  // message MLflow's client recognises (it then falls back to one PUT).
  virtual MultipartCreated create_multipart(std::string_view relative_file, int num_parts) const;
  virtual void complete_multipart(std::string_view relative_file, const std::string& upload_id,
                                  const std::vector<MultipartPart>& parts) const;
  virtual void abort_multipart(std::string_view relative_file, const std::string& upload_id) const;
};

// Parses an HTTP Range header ("bytes=0-9", "bytes=10-", "bytes=-5") against a file of `size`
// bytes. nullopt when there is no usable single range (absent, malformed or several ranges: the
// whole file is sent); throws RangeNotSatisfiable when the range lies outside the file.
struct RangeNotSatisfiable {};
std::optional<ByteRange> parse_range_header(std::string_view header, std::uint64_t size);

}  // namespace sextant::artifacts
