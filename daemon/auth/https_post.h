// One HTTPS POST of a form, as a token endpoint wants it: resolve, connect, verified TLS
// handshake, write, read, shut down. The certificate is checked as net::Connection checks mail
// servers: the system store plus an optional CA file, the host name (or IP address) against the
// certificate, TLS 1.2 at least.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <stdexcept>
#include <string>

#include "daemon/auth/oauth_grant.h"

namespace contribd::auth {

// "host:port: TLS handshake failed: certificate verify failed (...)", "...: timed out after
// 30 s": what went wrong on the way, naming the host.
class HttpsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct HttpsResponse {
  unsigned status = 0;
  std::string body;  // at most 1 MiB; a longer answer is an HttpsError
};

// `timeout` bounds each step (connect, handshake, write, read). Throws HttpsError.
boost::asio::awaitable<HttpsResponse> https_post_form(HttpsUrl url, std::string form,
                                                      std::string ca_file,
                                                      std::chrono::seconds timeout);

}  // namespace contribd::auth
