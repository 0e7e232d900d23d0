// `sextant gc`: trace retention (retention/trace_retention.hpp) from the command line, with the
// server's own storage options so it sees the same database and artifact roots. Exit status: 0
// done, 1 failed (reason on stderr), 2 bad arguments.
#pragma once

#include <string>
#include <vector>

namespace sextant::cli {

int run_gc_command(const std::vector<std::string>& args);

}  // namespace sextant::cli
