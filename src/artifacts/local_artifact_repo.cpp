#include "artifacts/local_artifact_repo.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "artifacts/artifact_path.hpp"
#include "core/error.hpp"
#include "util/random_id.hpp"

namespace fs = std::filesystem;

namespace sextant::artifacts {

namespace {
[[noreturn]] void io_error(const std::string& what) {
  throw core::MlflowError(core::ErrorCode::INTERNAL_ERROR, "Artifact storage error: " + what);
}

// True when `path` is `root` or lies below it.
bool is_within(const fs::path& root, const fs::path& path) {
  auto r = root.begin(), p = path.begin();
  for (; r != root.end(); ++r, ++p) {
    if (r->empty()) continue;
    if (p == path.end() || *r != *p) return false;
  }
  return true;
}
}  // namespace

LocalArtifactRepo::LocalArtifactRepo(fs::path root) : root_(fs::weakly_canonical(fs::absolute(root))) {}

fs::path LocalArtifactRepo::resolve(std::string_view relative, PathKind kind) const {
  auto rel = canonical_artifact_path(relative, kind);
  fs::path full = rel.empty() ? root_ : root_ / fs::path(rel);
  // Symlinks inside the tree must not lead outside it.
  std::error_code ec;
  fs::path real = fs::weakly_canonical(full, ec);
  if (ec || !is_within(root_, real) || !is_within(root_, full)) core::throw_invalid("Invalid path");
  return full;
}

void LocalArtifactRepo::write(std::string_view relative, ByteSource& source) const {
  fs::path target = resolve(relative, PathKind::File);
  std::error_code ec;
  // A file where a parent directory should be is the client's mistake, not a server error.
  for (fs::path p = target.parent_path(); p != root_ && p.has_relative_path(); p = p.parent_path()) {
    if (fs::exists(p, ec) && !fs::is_directory(p, ec)) {
      core::throw_invalid("Invalid path: '" + fs::relative(p, root_).string() + "' is a file, not a directory");
    }
  }
  fs::create_directories(target.parent_path(), ec);
  if (ec) io_error("cannot create directory: " + ec.message());
  if (fs::is_directory(target, ec)) core::throw_invalid("Invalid path: a directory exists at that path");
  fs::path temp = target.parent_path() / ("." + target.filename().string() + "." + util::uuid4_hex() + ".tmp");
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) io_error(std::string("cannot create file: ") + std::strerror(errno));
  try {
    std::vector<char> buffer(1 << 16);
    while (std::size_t n = source.read(buffer.data(), buffer.size())) {
      std::size_t off = 0;
      while (off < n) {
        ssize_t w = ::write(fd, buffer.data() + off, n - off);
        if (w < 0) {
          if (errno == EINTR) continue;
          io_error(std::string("write failed: ") + std::strerror(errno));
        }
        off += static_cast<std::size_t>(w);
      }
    }
    if (::close(fd) != 0) {
      fd = -1;
      io_error(std::string("close failed: ") + std::strerror(errno));
    }
    fd = -1;
    fs::rename(temp, target, ec);
    if (ec) io_error("rename failed: " + ec.message());
  } catch (...) {
    if (fd >= 0) ::close(fd);
    fs::remove(temp, ec);
    throw;
  }
}

std::optional<fs::path> LocalArtifactRepo::local_file(std::string_view relative) const {
  fs::path p = resolve(relative, PathKind::File);
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) return std::nullopt;
  return p;
}

std::optional<FileStat> LocalArtifactRepo::stat(std::string_view relative) const {
  auto p = local_file(relative);
  if (!p) return std::nullopt;
  std::error_code ec;
  auto size = fs::file_size(*p, ec);
  if (ec) return std::nullopt;
  return FileStat{size, ""};
}

void LocalArtifactRepo::read(std::string_view relative, const std::optional<ByteRange>& range, const FileStat*,
                             ByteSink& sink) const {
  auto p = local_file(relative);
  if (!p) core::throw_not_found("File not found: " + std::string(relative));
  int fd = ::open(p->c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) core::throw_not_found("File not found: " + std::string(relative));
  std::vector<char> buffer(1 << 16);
  off_t offset = range ? static_cast<off_t>(range->first) : 0;
  std::uint64_t remaining = range ? range->length() : UINT64_MAX;
  try {
    while (remaining > 0) {
      auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), remaining));
      ssize_t n = ::pread(fd, buffer.data(), want, offset);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) io_error(std::string("read failed: ") + std::strerror(errno));
      if (n == 0) break;
      offset += n;
      remaining -= static_cast<std::uint64_t>(n);
      if (!sink.write(buffer.data(), static_cast<std::size_t>(n))) break;
    }
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
}

std::vector<core::FileInfo> LocalArtifactRepo::list(std::string_view relative, const std::string& prefix) const {
  std::vector<core::FileInfo> out;
  fs::path dir = resolve(relative, PathKind::Directory);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    auto name = entry.path().filename().string();
    if (name.starts_with(".") && name.ends_with(".tmp")) continue;  // in-flight uploads
    core::FileInfo info;
    info.path = prefix + name;
    info.is_dir = entry.is_directory(ec);
    if (!info.is_dir) info.file_size = static_cast<std::int64_t>(entry.file_size(ec));
    out.push_back(std::move(info));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  return out;
}

void LocalArtifactRepo::remove(std::string_view relative) const {
  // The root is compared as a canonical relative path, never as fs::path ("root/" != "root").
  if (canonical_artifact_path(relative, PathKind::Directory).empty()) core::throw_invalid("Invalid path: not the root");
  fs::path p = resolve(relative, PathKind::Directory);
  std::error_code ec;
  // What a delete may remove is decided on the path's text: a symbolic link on the way (made
  // outside the API) must not carry it to another directory, an experiment's say.
  if (fs::weakly_canonical(p.parent_path(), ec) != p.parent_path() || ec)
    core::throw_invalid("Invalid path: it passes through a symbolic link");
  fs::remove_all(p, ec);
  if (ec) io_error("delete failed: " + ec.message());
}

}  // namespace sextant::artifacts
