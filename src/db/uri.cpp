#include "db/uri.hpp"

#include <algorithm>

#include "util/url.hpp"

namespace sextant::db {

namespace {

DatabaseUri parse_sqlite(const std::string& uri) {
  constexpr std::string_view kPrefix = "sqlite:///";
  if (!uri.starts_with(kPrefix)) throw UriError("a SQLite URI is sqlite:///<relative path> or sqlite:////<absolute path>: '" + uri + "'");
  std::string path = uri.substr(kPrefix.size());
  if (auto q = path.find('?'); q != std::string::npos) path = path.substr(0, q);
  if (path.empty() || path == ":memory:") {
    throw UriError("an in-memory SQLite database cannot be shared by the server's connections; use a file");
  }
  DatabaseUri out;
  out.backend = Backend::Sqlite;
  out.sqlite_path = path;
  out.redacted = uri;
  return out;
}

// The server URI forms PostgreSQL and MySQL share: [user[:password]@][host][:port][/database][?k=v&...].
DatabaseUri parse_server_uri(const std::string& uri, std::size_t rest_at, Backend backend) {
  DatabaseUri out;
  out.backend = backend;
  std::string_view rest(uri);
  rest.remove_prefix(rest_at);
  std::string_view query;
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view authority = rest, path;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    authority = rest.substr(0, slash);
    path = rest.substr(slash + 1);
  }
  std::string redacted_authority(authority);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    auto userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    auto colon = userinfo.find(':');
    auto user = util::percent_decode(userinfo.substr(0, colon));
    if (!user.empty()) out.params.emplace_back("user", user);
    if (colon != std::string_view::npos) {
      out.params.emplace_back("password", util::percent_decode(userinfo.substr(colon + 1)));
      redacted_authority = std::string(userinfo.substr(0, colon)) + ":***@" + std::string(authority);
    }
  }
  std::string_view host = authority, port;
  if (authority.starts_with("[")) {  // [IPv6]:port
    auto close = authority.find(']');
    if (close == std::string_view::npos) throw UriError("unterminated [IPv6 address] in the database URI");
    host = authority.substr(1, close - 1);
    auto after = authority.substr(close + 1);
    if (after.starts_with(":")) port = after.substr(1);
    else if (!after.empty()) throw UriError("unexpected text after ] in the database URI");
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (!host.empty()) out.params.emplace_back("host", util::percent_decode(host));
  if (!port.empty()) {
    if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) || port.size() > 5) {
      throw UriError("the port in the database URI is not a number: '" + std::string(port) + "'");
    }
    out.params.emplace_back("port", std::string(port));
  }
  if (!path.empty()) out.params.emplace_back("dbname", util::percent_decode(path));
  for (auto& [k, v] : util::parse_query(query)) {
    if (k.empty()) continue;
    // A query option replaces the same parameter from the authority (host=/socket/dir).
    auto same = std::find_if(out.params.begin(), out.params.end(), [&](const auto& p) { return p.first == k; });
    if (same != out.params.end()) {
      same->second = v;
    } else {
      out.params.emplace_back(k, v);
    }
  }
  out.redacted = uri.substr(0, rest_at) + redacted_authority + (path.empty() ? "" : "/" + std::string(path)) +
                 (query.empty() ? "" : "?" + std::string(query));
  if (auto pw = out.redacted.find("password="); pw != std::string::npos) {
    auto end = out.redacted.find('&', pw);
    out.redacted.replace(pw + 9, end == std::string::npos ? std::string::npos : end - pw - 9, "***");
  }
  return out;
}

}  // namespace

DatabaseUri parse_database_uri(const std::string& uri) {
  auto colon = uri.find("://");
  if (colon == std::string::npos) throw UriError("not a database URI (expected scheme://...): '" + uri + "'");
  std::string scheme = uri.substr(0, colon);
  std::string dialect = scheme.substr(0, scheme.find('+'));
  std::string driver = scheme.find('+') == std::string::npos ? "" : scheme.substr(scheme.find('+') + 1);
  if (dialect == "sqlite" && driver.empty()) return parse_sqlite(uri);
  if ((dialect == "postgresql" || dialect == "postgres") &&
      (driver.empty() || driver == "psycopg2" || driver == "psycopg" || driver == "pg8000")) {
    return parse_server_uri(uri, colon + 3, Backend::Postgres);
  }
  if ((dialect == "mysql" || dialect == "mariadb") &&
      (driver.empty() || driver == "pymysql" || driver == "mysqldb" || driver == "mysqlconnector" ||
       driver == "mariadbconnector")) {
    auto out = parse_server_uri(uri, colon + 3, Backend::Mysql);
    static const char* kOptions[] = {"user", "password", "host", "port", "dbname", "charset", "unix_socket",
                                     "connect_timeout", "read_timeout", "write_timeout", "ssl_ca", "ssl_capath",
                                     "ssl_cert", "ssl_key", "ssl_cipher", "ssl_verify_cert"};
    for (const auto& [k, v] : out.params) {
      if (std::none_of(std::begin(kOptions), std::end(kOptions), [&](const char* o) { return k == o; })) {
        throw UriError("unknown MySQL option '" + k + "' in the database URI");
      }
    }
    return out;
  }
  throw UriError("unsupported --backend-store-uri scheme '" + scheme +
                 "': this build serves sqlite:///, postgresql:// (also postgresql+psycopg2://) and mysql:// (also "
                 "mysql+pymysql://, mysql+mysqldb://)");
}

}  // namespace sextant::db
