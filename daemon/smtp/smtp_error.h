// The error an SMTP server's answer turns into. Network failures are not SmtpErrors: they stay
// net::NetError, always temporary.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace contribd::smtp {

class SmtpError : public std::runtime_error {
 public:
  // `what` names the server, the stage and the server's text:
  // "smtp.example.org:587: RCPT TO:<bob@x>: 550 5.1.1 no such user". `code` is the reply code,
  // or 0 when the failure was found on our side or in a reply that could not be read;
  // `enhanced` the reply's enhanced status code (RFC 3463, "5.1.1"), empty when it had none.
  SmtpError(std::string what, int code, bool permanent, std::string enhanced = {})
      : std::runtime_error(std::move(what)),
        code_(code),
        permanent_(permanent),
        enhanced_(std::move(enhanced)) {}

  int code() const { return code_; }
  const std::string& enhanced() const { return enhanced_; }
  // True for 5xx answers and for messages that can never be sent (a recipient with CR/LF):
  // retrying cannot help. False for 4xx and for server trouble that may pass.
  bool permanent() const { return permanent_; }

 private:
  int code_;
  bool permanent_;
  std::string enhanced_;
};

}  // namespace contribd::smtp
