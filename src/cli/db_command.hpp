// `sextant db check|upgrade`: what Sextant makes of a database's MLflow schema, and MLflow's
// migrations applied without Python (store/sql/schema_upgrade.hpp). Exit status: 0 done / servable,
// 1 refused or failed (reason on stderr), 2 bad arguments.
#pragma once

#include <string>
#include <vector>

namespace sextant::cli {

int run_db_command(const std::vector<std::string>& args);

}  // namespace sextant::cli
