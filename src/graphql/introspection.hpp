// GraphQL introspection (spec section 4): the __Schema, __Type, __Field, __InputValue,
// __EnumValue and __Directive types and the root fields `__schema` and `__type(name:)`, read
// from the schema itself. The root fields are hidden from the listing, as the spec says.
#pragma once

#include "graphql/schema.hpp"

namespace sextant::graphql {

// Adds the introspection types and root fields; call once, after every other type is added.
void add_introspection(Schema& schema);

}  // namespace sextant::graphql
