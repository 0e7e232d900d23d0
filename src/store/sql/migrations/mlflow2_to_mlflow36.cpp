// MLflow's migrations from MLflow 2.0's head (97727af70f4d) to MLflow 3.6's head (bf29a5ff90ea).
#include "store/sql/migrations/migration.hpp"

namespace sextant::store::sql::migrations {

std::span<const Migration> mlflow2_to_mlflow36() { return {}; }

}  // namespace sextant::store::sql::migrations
