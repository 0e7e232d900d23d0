// The opendatahub-io fork's workspaces migration (its 1b5f0d9ad7c1, off bf29a5ff90ea), and the path
// from there onto upstream's chain.
#include "store/sql/migrations/migration.hpp"

#include <stdexcept>

namespace sextant::store::sql::migrations {

namespace {
void not_implemented(db::Connection&) { throw std::runtime_error("the fork's workspaces migration is not implemented"); }
constexpr Migration kForkWorkspaces{"1b5f0d9ad7c1", "bf29a5ff90ea", "add workspace columns and catalog (fork)",
                                    not_implemented};
}  // namespace

const Migration& fork_workspaces() { return kForkWorkspaces; }

std::span<const Migration> fork_to_upstream() { return {}; }

}  // namespace sextant::store::sql::migrations
