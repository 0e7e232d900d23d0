// Random run names in MLflow's style: "<adjective>-<noun>-<0..999>". Thread-safe.
#pragma once

#include <string>

namespace sextant::core {

std::string random_run_name();

}  // namespace sextant::core
