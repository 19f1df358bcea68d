#include "daemon/auth/sasl.h"

#include <fmt/format.h>

#include "parsers/base64.h"

namespace contribd::auth {
namespace {

// RFC 5801 section 4 saslname: ',' and '=' would end or confuse the GS2 header.
std::string gs2_escape(std::string_view user) {
  std::string out;
  for (const char c : user) {
    if (c == ',') {
      out += "=2C";
    } else if (c == '=') {
      out += "=3D";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string_view method_name(Method method) {
  switch (method) {
    case Method::xoauth2:
      return "xoauth2";
    case Method::oauthbearer:
      return "oauthbearer";
    case Method::password:
      break;
  }
  return "password";
}

std::string_view sasl_name(Method method) {
  switch (method) {
    case Method::xoauth2:
      return "XOAUTH2";
    case Method::oauthbearer:
      return "OAUTHBEARER";
    case Method::password:
      break;
  }
  return "PLAIN";
}

std::string xoauth2_message(std::string_view user, std::string_view token) {
  return fmt::format(
      "user={}\x01"
      "auth=Bearer {}\x01\x01",
      user, token);
}

std::string oauthbearer_message(std::string_view user, std::string_view token,
                                std::string_view host, std::uint16_t port) {
  std::string message = fmt::format("n,a={},\x01", gs2_escape(user));
  if (!host.empty()) message += fmt::format("host={}\x01port={}\x01", host, port);
  message += fmt::format("auth=Bearer {}\x01\x01", token);
  return message;
}

std::string initial_response(Method method, std::string_view user, std::string_view token,
                             std::string_view host, std::uint16_t port) {
  if (method == Method::oauthbearer) {
    return encode_base64(oauthbearer_message(user, token, host, port));
  }
  return encode_base64(xoauth2_message(user, token));
}

std::string error_challenge_reply(Method method) {
  return method == Method::oauthbearer ? encode_base64("\x01") : std::string();
}

}  // namespace contribd::auth
