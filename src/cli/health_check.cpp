#include "cli/health_check.hpp"

#include <chrono>
#include <cstdlib>
#include <exception>
#include <iostream>

#include "auth/curl_http_fetcher.hpp"

namespace sextant::cli {

int run_health_check(const std::vector<std::string>& args) {
  const char* port = std::getenv("SEXTANT_PORT");
  std::string url = std::string("http://127.0.0.1:") + (port && *port ? port : "5000") + "/health";
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--url" && i + 1 < args.size()) {
      url = args[++i];
    } else if (args[i].starts_with("--url=")) {
      url = args[i].substr(6);
    } else {
      std::cerr << "usage: sextant health [--url URL]\n";
      return 2;
    }
  }
  try {
    auth::CurlFetcherOptions options;
    options.total_timeout = std::chrono::seconds(5);
    auth::CurlHttpFetcher fetcher(options);
    auto r = fetcher.get(url);
    if (r.status == 200) return 0;
    std::cerr << "sextant health: " << url << " answered " << r.status << "\n";
  } catch (const std::exception& e) {
    std::cerr << "sextant health: " << e.what() << "\n";
  }
  return 1;
}

}  // namespace sextant::cli
