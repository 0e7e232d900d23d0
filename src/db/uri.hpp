// MLflow's --backend-store-uri forms -> which driver and its connection parameters. Pure.
//   sqlite:///relative.db, sqlite:////absolute.db
//   postgresql://[user[:password]@][host][:port][/database][?option=value&...]
//     (also postgres://, postgresql+psycopg2://, postgresql+psycopg://, postgresql+pg8000://);
//     options are libpq's keywords (sslmode, sslrootcert, connect_timeout, application_name,
//     options, host=/unix/socket/dir, ...); every part is percent-decoded.
//   mysql://[user[:password]@][host][:port][/database][?option=value&...]
//     (also mysql+pymysql://, mysql+mysqldb://, mariadb://); options charset, unix_socket,
//     connect_timeout, read_timeout, write_timeout, ssl_ca, ssl_capath, ssl_cert, ssl_key,
//     ssl_cipher, ssl_verify_cert.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "db/dialect.hpp"

namespace sextant::db {

class UriError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct DatabaseUri {
  Backend backend = Backend::Sqlite;
  std::string sqlite_path;                                  // sqlite: the file
  std::vector<std::pair<std::string, std::string>> params;  // libpq keywords / MySQL options, in order
  std::string redacted;                                     // the URI with any password replaced by ***
};

// Throws UriError for an unknown scheme or a malformed URI.
DatabaseUri parse_database_uri(const std::string& uri);

}  // namespace sextant::db
