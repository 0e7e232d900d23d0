// A GraphQL request error: its message goes to the response's "errors" list as it is.
#pragma once

#include <stdexcept>
#include <string>

namespace sextant::graphql {

class GraphqlError : public std::runtime_error {
 public:
  explicit GraphqlError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace sextant::graphql
