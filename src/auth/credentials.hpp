// What a request carries that authentication looks at, copied out of the HTTP request by http/
// so that auth/ never sees Boost or sockets. Plain value.
#pragma once

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
};

}  // namespace sextant::auth
