#include "daemon/auth/token_endpoint.h"

#include <fmt/format.h>

#include "daemon/auth/https_post.h"

namespace contribd::auth {

TokenEndpoint::TokenEndpoint(std::string url, GrantRequest request, std::string ca_file,
                             std::chrono::seconds timeout)
    : url_(std::move(url)),
      request_(std::move(request)),
      ca_file_(std::move(ca_file)),
      timeout_(timeout) {}

boost::asio::awaitable<IssuedToken> TokenEndpoint::fetch() {
  auto parsed_url = parse_https_url(url_);
  if (auto* why = std::get_if<std::string>(&parsed_url)) {
    throw TokenError(fmt::format("token endpoint {}: {}", url_, *why));
  }
  HttpsUrl url = std::get<HttpsUrl>(std::move(parsed_url));
  HttpsResponse response;
  try {
    response = co_await https_post_form(std::move(url), form_body(request_), ca_file_, timeout_);
  } catch (const HttpsError& error) {
    throw TokenError(fmt::format("token endpoint {}: unreachable: {}", url_, error.what()));
  }
  auto answer = parse_token_response(response.status, response.body);
  if (auto* why = std::get_if<std::string>(&answer)) {
    throw TokenError(fmt::format("token endpoint {} refused the grant: {}", url_, *why));
  }
  co_return std::get<IssuedToken>(std::move(answer));
}

}  // namespace contribd::auth
