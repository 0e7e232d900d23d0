// `sextant health [--url URL]`: the container HEALTHCHECK (the image has no curl). GETs the URL
// (default http://127.0.0.1:$SEXTANT_PORT/health, port 5000 when unset) with a 5 s timeout;
// exit status 0 when it answers 200, 1 otherwise (reason on stderr), 2 for bad arguments.
#pragma once

#include <string>
#include <vector>

namespace sextant::cli {

int run_health_check(const std::vector<std::string>& args);

}  // namespace sextant::cli
