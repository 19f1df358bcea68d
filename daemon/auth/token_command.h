// An access token from a command the operator names (an argv list, run without a shell): it
// prints the token, or a JSON object {"access_token": "...", "expires_in": 3599} whose
// expires_in is then honoured.
#pragma once

#include <chrono>
#include <string>
#include <variant>
#include <vector>

#include "daemon/auth/token_source.h"

namespace contribd::auth {

// What the command printed on stdout: a JSON object with a string access_token (and an optional
// expires_in, a number or a numeric string), or the token alone on one line (surrounding
// whitespace ignored). Else a reason, which never repeats the output (it may hold a secret).
std::variant<IssuedToken, std::string> parse_command_output(const std::string& output);

class TokenCommand final : public TokenFetcher {
 public:
  // `argv[0]` is looked up in PATH. The command gets no stdin; after `timeout` it is killed.
  TokenCommand(std::vector<std::string> argv, std::chrono::seconds timeout);

  // Throws TokenError: "token_command /usr/bin/x: exited with status 2: <its last stderr
  // line>", "... killed after 30 s", "... cannot run: No such file or directory", or an
  // unreadable output.
  boost::asio::awaitable<IssuedToken> fetch() override;

 private:
  std::vector<std::string> argv_;
  std::chrono::seconds timeout_;
};

}  // namespace contribd::auth
