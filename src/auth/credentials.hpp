// What a request carries that authentication looks at, copied out of the HTTP request by http/
// so that auth/ never sees Boost or sockets. Plain value.
#pragma once

#include <cstddef>
#include <string>

namespace sextant::auth {

struct RequestCredentials {
  std::string method;          // upper case; HEAD is treated like GET by the policy
  std::string path;            // decoded URL path
  std::string authorization;   // the Authorization header, verbatim ("" when absent)
  std::string cookie;          // the Cookie header, verbatim
  std::string remote_address;  // peer IP address of the TCP connection (not X-Forwarded-For)
  std::string client_address;  // the client behind --real-ip-from load balancers ("" = the peer):
                               // the key for back-off and what the audit log names
  std::string host;            // Host header
  std::string origin;          // Origin header
  std::string sec_fetch_site;  // Sec-Fetch-Site header
  std::string content_type;
  std::string accept;          // to tell browsers (text/html) from API clients
  // Identity headers set by a trusted reverse proxy (oauth2-proxy); honoured only when
  // remote_address is a configured trusted proxy.
  std::string forwarded_email, forwarded_user, forwarded_groups;
  // How many times each header occurs (http/ reads the first occurrence into the fields above):
  // duplicates of a header that names a single identity or authority are refused.
  struct Counts {
    std::size_t host = 0, authorization = 0, forwarded_email = 0, forwarded_user = 0, forwarded_groups = 0;
  } counts;
  bool has_body = false;       // Content-Length > 0 or a chunked body

  // An Authorization header is present (even an empty one): it alone decides who the caller is.
  bool has_authorization() const { return counts.authorization > 0 || !authorization.empty(); }
};

}  // namespace sextant::auth
