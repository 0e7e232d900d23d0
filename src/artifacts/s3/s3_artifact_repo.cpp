#include "artifacts/s3/s3_artifact_repo.hpp"

#include <algorithm>
#include <iostream>

#include "artifacts/artifact_path.hpp"
#include "core/error.hpp"

namespace sextant::artifacts::s3 {

namespace {

using core::ErrorCode;
using core::MlflowError;

[[noreturn]] void translate(const S3Error& e) {
  const auto& code = e.code();
  if (code == "NoSuchKey" || code == "NoSuchBucket" || code == "NoSuchUpload" || e.status() == 404)
    throw MlflowError(ErrorCode::RESOURCE_DOES_NOT_EXIST, e.what());
  if (code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch" || code == "ExpiredToken" ||
      code == "InvalidToken" || code == "TokenRefreshRequired")
    throw MlflowError(ErrorCode::PERMISSION_DENIED, std::string("S3 refused the server's credentials: ") + e.what());
  if (code == "AccessDenied" || e.status() == 403) throw MlflowError(ErrorCode::PERMISSION_DENIED, e.what());
  if (code == "InvalidPart" || code == "InvalidPartOrder" || code == "EntityTooSmall" || code == "MalformedXML" ||
      code == "InvalidArgument")
    throw MlflowError(ErrorCode::INVALID_PARAMETER_VALUE, e.what());
  if (code == "CredentialsError") throw MlflowError(ErrorCode::INTERNAL_ERROR, e.what());
  if (e.status() == 0 || e.status() >= 500 || e.status() == 429 || code == "SlowDown" || code == "PreconditionFailed")
    throw MlflowError(ErrorCode::TEMPORARILY_UNAVAILABLE, e.what());
  throw MlflowError(ErrorCode::INTERNAL_ERROR, e.what());
}

template <typename F>
auto guarded(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const S3Error& e) {
    translate(e);
  }
}

std::string strip_slashes(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  while (!s.empty() && s.front() == '/') s.erase(0, 1);
  return s;
}

}  // namespace

S3ArtifactRepo::S3ArtifactRepo(std::shared_ptr<const S3Client> client, std::string bucket, std::string prefix)
    : client_(std::move(client)), bucket_(std::move(bucket)), prefix_(strip_slashes(std::move(prefix))) {}

std::string S3ArtifactRepo::root_uri() const { return "s3://" + bucket_ + (prefix_.empty() ? "" : "/" + prefix_); }

std::string S3ArtifactRepo::key_for(std::string_view relative, PathKind kind) const {
  auto rel = canonical_artifact_path(relative, kind);
  if (rel.empty()) return prefix_;
  return prefix_.empty() ? rel : prefix_ + "/" + rel;
}

void S3ArtifactRepo::write(std::string_view relative, ByteSource& source) const {
  auto key = key_for(relative, PathKind::File);
  guarded([&] { client_->put_object(bucket_, key, source); });
}

std::optional<FileStat> S3ArtifactRepo::stat(std::string_view relative) const {
  auto key = key_for(relative, PathKind::File);
  return guarded([&]() -> std::optional<FileStat> {
    auto head = client_->head_object(bucket_, key);
    if (!head) return std::nullopt;
    return FileStat{head->size, head->etag};
  });
}

void S3ArtifactRepo::read(std::string_view relative, const std::optional<ByteRange>& range, const FileStat* expected,
                          ByteSink& sink) const {
  auto key = key_for(relative, PathKind::File);
  std::optional<std::pair<std::uint64_t, std::uint64_t>> r;
  if (range) r = std::make_pair(range->first, range->last);
  guarded([&] { client_->get_object(bucket_, key, r, expected ? expected->etag : "", sink); });
}

std::vector<core::FileInfo> S3ArtifactRepo::list(std::string_view relative, const std::string& out_prefix) const {
  auto dir = key_for(relative, PathKind::Directory);
  std::string list_prefix = dir.empty() ? "" : dir + "/";
  std::string must_start = prefix_.empty() ? "" : prefix_ + "/";
  std::vector<core::FileInfo> out;
  guarded([&] {
    std::string token;
    do {
      auto page = client_->list_objects(bucket_, list_prefix, "/", token);
      for (const auto& cp : page.common_prefixes) {
        if (!cp.starts_with(list_prefix) || !cp.starts_with(must_start))
          throw MlflowError(ErrorCode::INTERNAL_ERROR, "S3 listed '" + cp + "' outside the artifact root");
        auto name = cp.substr(list_prefix.size());
        while (!name.empty() && name.back() == '/') name.pop_back();
        if (name.empty()) continue;
        core::FileInfo info;
        info.path = out_prefix + name;
        info.is_dir = true;
        out.push_back(std::move(info));
      }
      for (const auto& obj : page.objects) {
        if (!obj.key.starts_with(list_prefix) || !obj.key.starts_with(must_start))
          throw MlflowError(ErrorCode::INTERNAL_ERROR, "S3 listed '" + obj.key + "' outside the artifact root");
        auto name = obj.key.substr(list_prefix.size());
        if (name.empty()) continue;  // a "directory marker" object ("dir/")
        core::FileInfo info;
        info.path = out_prefix + name;
        info.is_dir = false;
        info.file_size = static_cast<std::int64_t>(obj.size);
        out.push_back(std::move(info));
      }
      token = page.next_continuation_token;
    } while (!token.empty());
  });
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  return out;
}

void S3ArtifactRepo::remove(std::string_view relative) const {
  // Never the prefix itself: decided on the canonical relative path, before any request is sent.
  if (canonical_artifact_path(relative, PathKind::Directory).empty()) core::throw_invalid("Invalid path: not the root");
  auto key = key_for(relative, PathKind::Directory);
  guarded([&] {
    // The object itself, then everything below "<key>/" (not "<key>x": MLflow's prefix match
    // without the slash would take siblings with).
    client_->delete_objects(bucket_, {key});
    std::string token;
    do {
      auto page = client_->list_objects(bucket_, key + "/", "", token);
      std::vector<std::string> keys;
      for (const auto& obj : page.objects) {
        if (!obj.key.starts_with(key + "/"))
          throw MlflowError(ErrorCode::INTERNAL_ERROR, "S3 listed '" + obj.key + "' outside the directory");
        keys.push_back(obj.key);
      }
      client_->delete_objects(bucket_, keys);
      token = page.next_continuation_token;
    } while (!token.empty());
  });
}

MultipartCreated S3ArtifactRepo::create_multipart(std::string_view relative_file, int num_parts) const {
  auto key = key_for(relative_file, PathKind::File);
  return guarded([&] {
    MultipartCreated out;
    out.upload_id = client_->create_multipart_upload(bucket_, key);
    for (int i = 1; i <= num_parts; ++i)
      out.credentials.push_back({i, client_->presign_upload_part(bucket_, key, out.upload_id, i), {}});
    return out;
  });
}

void S3ArtifactRepo::complete_multipart(std::string_view relative_file, const std::string& upload_id,
                                        const std::vector<MultipartPart>& parts) const {
  auto key = key_for(relative_file, PathKind::File);
  std::vector<CompletedPart> done;
  for (const auto& p : parts) done.push_back({p.part_number, p.etag});
  guarded([&] { client_->complete_multipart_upload(bucket_, key, upload_id, done); });
}

void S3ArtifactRepo::abort_multipart(std::string_view relative_file, const std::string& upload_id) const {
  auto key = key_for(relative_file, PathKind::File);
  guarded([&] { client_->abort_multipart_upload(bucket_, key, upload_id); });
}

std::shared_ptr<const S3Client> LazyS3::client() {
  std::lock_guard lock(mutex_);
  if (!client_) {
    try {
      client_ = std::make_shared<const S3Client>(s3_config_from_env(env_), default_credentials_chain(env_));
    } catch (const std::runtime_error& e) {
      throw MlflowError(ErrorCode::INTERNAL_ERROR, std::string("S3 settings: ") + e.what());
    }
  }
  return client_;
}

}  // namespace sextant::artifacts::s3
