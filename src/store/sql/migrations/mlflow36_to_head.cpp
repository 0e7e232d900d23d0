// MLflow's migrations from MLflow 3.6's head (bf29a5ff90ea) to April 2026's master (7d34483879f0).
#include "store/sql/migrations/migration.hpp"

namespace sextant::store::sql::migrations {

std::span<const Migration> mlflow36_to_head() { return {}; }

}  // namespace sextant::store::sql::migrations
