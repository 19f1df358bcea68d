#include "daemon/auth/sign_in.h"

#include <fmt/format.h>

#include "daemon/auth/token_command.h"
#include "daemon/auth/token_endpoint.h"

namespace contribd::auth {
namespace {

std::unique_ptr<TokenFetcher> make_fetcher(std::string_view section, const OAuthConfig& oauth) {
  if (oauth.source == OAuthConfig::Source::command) {
    return std::make_unique<TokenCommand>(oauth.token_command, oauth.timeout);
  }
  GrantRequest request;
  request.client_id = oauth.client_id;
  request.scope = oauth.scope;
  const std::string prefix = fmt::format("{}.oauth.", section);
  if (!oauth.client_secret_file.empty()) {
    request.client_secret = read_secret(oauth.client_secret_file, prefix + "client_secret_file");
  }
  if (oauth.source == OAuthConfig::Source::refresh_token) {
    request.grant = Grant::refresh_token;
    request.refresh_token = read_secret(oauth.refresh_token_file, prefix + "refresh_token_file");
  }
  return std::make_unique<TokenEndpoint>(oauth.token_url, std::move(request), oauth.ca_file,
                                         oauth.timeout);
}

}  // namespace

Credentials load_credentials(std::string_view section, const std::string& username,
                             const std::filesystem::path& password_file, const AuthConfig& config) {
  if (config.method == Method::password) {
    return Credentials(username,
                       read_secret(password_file, fmt::format("{}.password_file", section)));
  }
  auto source = std::make_shared<CachingTokenSource>(username, make_fetcher(section, config.oauth),
                                                     config.oauth.reuse);
  return Credentials(username, config.method, std::move(source));
}

}  // namespace contribd::auth
