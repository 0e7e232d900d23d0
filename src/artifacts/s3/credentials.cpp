#include "artifacts/s3/credentials.hpp"

#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "artifacts/s3/http.hpp"
#include "artifacts/s3/xml.hpp"
#include "util/strings.hpp"

namespace sextant::artifacts::s3 {

namespace {

std::string env_or(const Env& env, const std::string& name, const std::string& fallback = "") {
  auto v = env(name);
  return v && !v->empty() ? *v : fallback;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

bool is_true(const std::optional<std::string>& v) {
  if (!v) return false;
  auto t = util::to_lower(trim(*v));
  return t == "true" || t == "1" || t == "yes";
}

std::string home_path(const Env& env, const std::string& rel) { return env_or(env, "HOME", "/root") + "/" + rel; }

std::string form_encode(std::string_view s) { return uri_encode(s, true); }

// --- environment ---------------------------------------------------------------------------------
class EnvironmentSource final : public CredentialSource {
 public:
  explicit EnvironmentSource(Env env) : env_(std::move(env)) {}
  std::string name() const override { return "environment"; }
  std::optional<Credentials> load() override {
    auto id = env_or(env_, "AWS_ACCESS_KEY_ID");
    auto secret = env_or(env_, "AWS_SECRET_ACCESS_KEY");
    if (id.empty() && secret.empty()) return std::nullopt;
    if (id.empty() || secret.empty())
      throw CredentialsError("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together");
    return Credentials{id, secret, env_or(env_, "AWS_SESSION_TOKEN"), std::nullopt};
  }

 private:
  Env env_;
};

// --- shared credentials and config files ---------------------------------------------------------
class ProfileSource final : public CredentialSource {
 public:
  explicit ProfileSource(Env env) : env_(std::move(env)) {}
  std::string name() const override { return "profile " + profile(); }
  std::optional<Credentials> load() override {
    const std::string p = profile();
    auto from = [&](const std::string& file, const std::string& section) -> std::optional<Credentials> {
      auto text = read_file(file);
      if (!text) return std::nullopt;
      auto kv = ini_section(*text, section);
      if (!kv) return std::nullopt;
      Credentials c;
      for (const auto& [k, v] : *kv) {
        if (k == "aws_access_key_id") c.access_key_id = v;
        if (k == "aws_secret_access_key") c.secret_access_key = v;
        if (k == "aws_session_token") c.session_token = v;
      }
      if (c.access_key_id.empty() && c.secret_access_key.empty()) return std::nullopt;
      if (c.access_key_id.empty() || c.secret_access_key.empty())
        throw CredentialsError("profile '" + p + "' in " + file + " lacks aws_access_key_id or aws_secret_access_key");
      return c;
    };
    if (auto c = from(env_or(env_, "AWS_SHARED_CREDENTIALS_FILE", home_path(env_, ".aws/credentials")), p)) return c;
    if (auto c = from(env_or(env_, "AWS_CONFIG_FILE", home_path(env_, ".aws/config")),
                      p == "default" ? p : "profile " + p))
      return c;
    if (env_("AWS_PROFILE") && !env_or(env_, "AWS_PROFILE").empty() && p != "default")
      throw CredentialsError("AWS_PROFILE '" + p + "' has no credentials in the shared credentials or config file");
    return std::nullopt;
  }

 private:
  std::string profile() const { return env_or(env_, "AWS_PROFILE", env_or(env_, "AWS_DEFAULT_PROFILE", "default")); }
  Env env_;
};

// --- web identity (STS AssumeRoleWithWebIdentity) -------------------------------------------------
class WebIdentitySource final : public CredentialSource {
 public:
  explicit WebIdentitySource(Env env) : env_(std::move(env)) {}
  std::string name() const override { return "web identity"; }
  std::optional<Credentials> load() override {
    auto token_file = env_or(env_, "AWS_WEB_IDENTITY_TOKEN_FILE");
    auto role = env_or(env_, "AWS_ROLE_ARN");
    if (token_file.empty() || role.empty()) return std::nullopt;
    auto token = read_file(token_file);
    if (!token) throw CredentialsError("cannot read AWS_WEB_IDENTITY_TOKEN_FILE");
    auto session = env_or(env_, "AWS_ROLE_SESSION_NAME", "sextant-" + std::to_string(std::time(nullptr)));
    std::string endpoint = env_or(env_, "AWS_ENDPOINT_URL_STS");
    if (endpoint.empty()) {
      auto region = configured_region(env_);
      endpoint = region.empty() ? "https://sts.amazonaws.com" : "https://sts." + region + ".amazonaws.com";
    }
    while (endpoint.ends_with("/")) endpoint.pop_back();
    HttpRequest req;
    req.method = "POST";
    req.url = endpoint + "/";
    req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/xml"}};
    const std::string form = "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=" + form_encode(role) +
                             "&RoleSessionName=" + form_encode(session) +
                             "&WebIdentityToken=" + form_encode(trim(*token));
    req.body = form;
    req.timeout_seconds = 30;
    auto res = http_perform(req);
    if (res.status != 200) {
      auto code = xml::text(res.body, "Code").value_or("");
      throw CredentialsError("STS AssumeRoleWithWebIdentity failed (" +
                             (res.status ? "HTTP " + std::to_string(res.status) : res.error) +
                             (code.empty() ? "" : ", " + code) + ")");
    }
    return parse_sts_credentials(res.body);
  }

 private:
  Env env_;
};

// --- ECS container credentials -------------------------------------------------------------------
class ContainerSource final : public CredentialSource {
 public:
  explicit ContainerSource(Env env) : env_(std::move(env)) {}
  std::string name() const override { return "container endpoint"; }
  std::optional<Credentials> load() override {
    std::string url;
    if (auto rel = env_or(env_, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"); !rel.empty()) {
      url = "http://169.254.170.2" + rel;
    } else if (auto full = env_or(env_, "AWS_CONTAINER_CREDENTIALS_FULL_URI"); !full.empty()) {
      if (!container_uri_allowed(full))
        throw CredentialsError("AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to a loopback or ECS/EKS "
                               "agent address");
      url = full;
    } else {
      return std::nullopt;
    }
    HttpRequest req;
    req.url = url;
    req.timeout_seconds = 5;
    req.connect_timeout_seconds = 2;
    std::string token;
    if (auto file = env_or(env_, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"); !file.empty()) {
      auto t = read_file(file);  // read on every fetch: the agent rotates it
      if (!t) throw CredentialsError("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
      token = trim(*t);
    } else {
      token = env_or(env_, "AWS_CONTAINER_AUTHORIZATION_TOKEN");
    }
    if (token.find_first_of("\r\n") != std::string::npos)
      throw CredentialsError("the container authorization token contains a line break");
    if (!token.empty()) req.headers.emplace_back("Authorization", token);
    HttpResponse res;
    for (int attempt = 0; attempt < 3; ++attempt) {
      res = http_perform(req);
      if (res.status == 200 || (res.status >= 400 && res.status < 500)) break;
    }
    if (res.status != 200)
      throw CredentialsError("the container credentials endpoint answered " +
                             (res.status ? "HTTP " + std::to_string(res.status) : res.error));
    return parse_credentials_json(res.body, "container credentials");
  }

 private:
  Env env_;
};

// --- EC2 instance metadata (IMDSv2) ----------------------------------------------------------------
class InstanceMetadataSource final : public CredentialSource {
 public:
  explicit InstanceMetadataSource(Env env) : env_(std::move(env)) {}
  std::string name() const override { return "instance metadata"; }
  std::optional<Credentials> load() override {
    if (is_true(env_("AWS_EC2_METADATA_DISABLED"))) return std::nullopt;
    std::string base = env_or(env_, "AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://169.254.169.254");
    while (base.ends_with("/")) base.pop_back();
    auto call = [&](const std::string& method, const std::string& path,
                    std::vector<std::pair<std::string, std::string>> headers) {
      HttpRequest req;
      req.method = method;
      req.url = base + path;
      req.headers = std::move(headers);
      req.timeout_seconds = 2;
      req.connect_timeout_seconds = 1;
      return http_perform(req);
    };
    auto token = call("PUT", "/latest/api/token", {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}});
    if (token.status == 0) return std::nullopt;  // no metadata service here
    if (token.status != 200) throw CredentialsError("IMDSv2 token request answered HTTP " + std::to_string(token.status));
    std::vector<std::pair<std::string, std::string>> auth{{"X-aws-ec2-metadata-token", trim(token.body)}};
    auto roles = call("GET", "/latest/meta-data/iam/security-credentials/", auth);
    if (roles.status == 404) return std::nullopt;  // an instance without a role
    if (roles.status != 200) throw CredentialsError("IMDS role lookup answered HTTP " + std::to_string(roles.status));
    auto role = trim(roles.body.substr(0, roles.body.find('\n')));
    if (role.empty() || role.find('/') != std::string::npos) throw CredentialsError("IMDS returned no usable role name");
    auto creds = call("GET", "/latest/meta-data/iam/security-credentials/" + role, auth);
    if (creds.status != 200) throw CredentialsError("IMDS credentials answered HTTP " + std::to_string(creds.status));
    return parse_credentials_json(creds.body, "instance metadata credentials");
  }

 private:
  Env env_;
};

}  // namespace

std::unique_ptr<CredentialSource> environment_source(Env env) { return std::make_unique<EnvironmentSource>(std::move(env)); }
std::unique_ptr<CredentialSource> profile_source(Env env) { return std::make_unique<ProfileSource>(std::move(env)); }
std::unique_ptr<CredentialSource> web_identity_source(Env env) { return std::make_unique<WebIdentitySource>(std::move(env)); }
std::unique_ptr<CredentialSource> container_source(Env env) { return std::make_unique<ContainerSource>(std::move(env)); }
std::unique_ptr<CredentialSource> instance_metadata_source(Env env) {
  return std::make_unique<InstanceMetadataSource>(std::move(env));
}

ChainProvider::ChainProvider(std::vector<std::unique_ptr<CredentialSource>> sources, Clock clock,
                             std::chrono::seconds refresh_margin)
    : sources_(std::move(sources)), clock_(std::move(clock)), margin_(refresh_margin) {}

std::string ChainProvider::source() const {
  std::lock_guard lock(mutex_);
  return current_ ? current_->name() : "none";
}

Credentials ChainProvider::get() {
  std::lock_guard lock(mutex_);
  auto now = clock_();
  if (cached_ && (!cached_->expiration || now + margin_ < *cached_->expiration)) return *cached_;
  std::string failures;
  auto try_source = [&](CredentialSource* s) -> bool {
    try {
      auto c = s->load();
      if (!c) return false;
      bool first = current_ != s;
      current_ = s;
      cached_ = std::move(c);
      if (first) std::cerr << "sextant: S3 credentials from " << s->name() << std::endl;
      return true;
    } catch (const CredentialsError& e) {
      failures += (failures.empty() ? "" : "; ") + s->name() + ": " + e.what();
      return false;
    }
  };
  if (current_) {
    if (try_source(current_)) return *cached_;
  } else {
    for (auto& s : sources_)
      if (try_source(s.get())) return *cached_;
  }
  if (cached_ && cached_->expiration && now < *cached_->expiration) {
    std::cerr << "sextant: warning: refreshing S3 credentials failed (" << failures << "); using the current ones"
              << std::endl;
    return *cached_;
  }
  throw CredentialsError(failures.empty() ? "no AWS credentials found (environment, shared files, web identity, "
                                            "container endpoint, instance metadata)"
                                          : "no usable AWS credentials: " + failures);
}

std::shared_ptr<CredentialsProvider> default_credentials_chain(Env env) {
  std::vector<std::unique_ptr<CredentialSource>> sources;
  sources.push_back(environment_source(env));
  sources.push_back(profile_source(env));
  sources.push_back(web_identity_source(env));
  sources.push_back(container_source(env));
  sources.push_back(instance_metadata_source(env));
  return std::make_shared<ChainProvider>(std::move(sources));
}

std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS[.fff](Z|+00:00)
  if (t.size() < 20) return std::nullopt;
  auto num = [&](std::size_t pos, std::size_t len) -> int {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (t[i] < '0' || t[i] > '9') return -1;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  if (t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != ' ') || t[13] != ':' || t[16] != ':') return std::nullopt;
  std::tm tm{};
  int y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2), s = num(17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60)
    return std::nullopt;
  std::size_t i = 19;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
  }
  auto zone = t.substr(i);
  if (zone != "Z" && zone != "+00:00" && zone != "UTC") return std::nullopt;
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::optional<std::vector<std::pair<std::string, std::string>>> ini_section(std::string_view text,
                                                                           std::string_view section) {
  std::optional<std::vector<std::pair<std::string, std::string>>> out;
  bool in = false;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string line = trim(std::string(text.substr(start, end - start)));
    start = end + 1;
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      std::string name = trim(line.substr(1, line.size() - 2));
      // "[profile   x]" and "[profile x]" alike
      if (name.starts_with("profile ")) name = "profile " + trim(name.substr(8));
      in = name == section;
      if (in && !out) out.emplace();
      continue;
    }
    if (!in) continue;
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    out->emplace_back(util::to_lower(trim(line.substr(0, eq))), trim(line.substr(eq + 1)));
  }
  return out;
}

Credentials parse_credentials_json(std::string_view body, const char* what) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) throw CredentialsError(std::string(what) + ": not a JSON object");
  auto str = [&](const char* k) {
    auto it = j.find(k);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (auto code = str("Code"); !code.empty() && code != "Success")
    throw CredentialsError(std::string(what) + ": Code " + code);
  Credentials c{str("AccessKeyId"), str("SecretAccessKey"), str("Token"), std::nullopt};
  if (c.access_key_id.empty() || c.secret_access_key.empty())
    throw CredentialsError(std::string(what) + ": AccessKeyId or SecretAccessKey missing");
  if (auto e = str("Expiration"); !e.empty()) {
    c.expiration = parse_iso8601(e);
    if (!c.expiration) throw CredentialsError(std::string(what) + ": unreadable Expiration");
  }
  return c;
}

Credentials parse_sts_credentials(std::string_view body) {
  auto creds = xml::elements(body, "Credentials");
  if (creds.empty()) throw CredentialsError("STS answer without Credentials");
  Credentials c{xml::text(creds[0], "AccessKeyId").value_or(""), xml::text(creds[0], "SecretAccessKey").value_or(""),
                xml::text(creds[0], "SessionToken").value_or(""), std::nullopt};
  if (c.access_key_id.empty() || c.secret_access_key.empty()) throw CredentialsError("STS answer lacks keys");
  if (auto e = xml::text(creds[0], "Expiration")) {
    c.expiration = parse_iso8601(*e);
    if (!c.expiration) throw CredentialsError("STS answer with unreadable Expiration");
  }
  return c;
}

bool container_uri_allowed(std::string_view uri) {
  if (uri.starts_with("https://")) return true;
  if (!uri.starts_with("http://")) return false;
  auto rest = uri.substr(7);
  std::string_view host;
  if (rest.starts_with("[")) {
    auto close = rest.find(']');
    if (close == std::string_view::npos) return false;
    host = rest.substr(0, close + 1);
    rest = rest.substr(close + 1);
  } else {
    auto end = rest.find_first_of(":/?#");
    host = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  }
  if (!rest.empty() && rest[0] != ':' && rest[0] != '/' && rest[0] != '?') return false;
  if (host.find('@') != std::string_view::npos) return false;
  if (host == "localhost" || host == "[::1]" || host == "169.254.170.2" || host == "169.254.170.23" ||
      host == "[fd00:ec2::23]")
    return true;
  // 127.0.0.0/8 in dotted form
  if (!host.starts_with("127.")) return false;
  int dots = 0;
  for (char c : host) {
    if (c == '.') ++dots;
    else if (c < '0' || c > '9') return false;
  }
  return dots == 3;
}

std::string configured_region(const Env& env) {
  if (auto r = env_or(env, "AWS_REGION"); !r.empty()) return r;
  if (auto r = env_or(env, "AWS_DEFAULT_REGION"); !r.empty()) return r;
  auto profile = env_or(env, "AWS_PROFILE", "default");
  if (auto text = read_file(env_or(env, "AWS_CONFIG_FILE", home_path(env, ".aws/config")))) {
    if (auto kv = ini_section(*text, profile == "default" ? profile : "profile " + profile))
      for (const auto& [k, v] : *kv)
        if (k == "region") return v;
  }
  return "";
}

}  // namespace sextant::artifacts::s3
