// Opens a connection with the driver a parsed backend URI names.
#pragma once

#include <memory>

#include "db/connection.hpp"
#include "db/uri.hpp"

namespace sextant::db {

std::unique_ptr<Connection> open_connection(const DatabaseUri& uri);

}  // namespace sextant::db
