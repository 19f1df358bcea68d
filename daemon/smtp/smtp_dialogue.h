// The SMTP client dialogue (RFC 5321, RFC 3207, RFC 4954) on a connection that is already open,
// so that it can be driven by any net::Connection, a scripted one included.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>

#include "daemon/auth/credentials.h"
#include "daemon/net/connection.h"
#include "daemon/smtp/smtp_error.h"

namespace contribd::smtp {

// A password, or an OAuth 2.0 token source with XOAUTH2 or OAUTHBEARER; an empty username
// means no AUTH at all.
using Credentials = auth::Credentials;

struct Envelope {
  std::string_view from;       // "" sends MAIL FROM:<> (RFC 3834 section 3.3)
  std::string_view recipient;  // one plain address
};

// Throws SmtpError when the envelope or the EHLO name cannot be sent safely: permanent for a
// recipient that is empty or not a plain address (CR/LF, spaces, brackets) and for such a
// sender ("" is the null sender and fine), temporary for a bad EHLO name (configuration).
void check_envelope(const net::Endpoint& endpoint, Envelope envelope, std::string_view helo_name);

// Greeting, EHLO, STARTTLS and EHLO again when the endpoint asks for it (an error when the
// server does not offer it), AUTH only once the connection is TLS (PLAIN or LOGIN with a
// password; XOAUTH2 or OAUTHBEARER with a token, once more with a fresh token when the server
// refuses the first, its error challenge answered and reported), MAIL FROM,
// RCPT TO, DATA with dot-stuffing, QUIT. Returns once the server has accepted the message; a
// failure after that acceptance (at QUIT) is ignored, since the message must not be sent twice.
// A 4xx answer throws SmtpError(temporary), 5xx SmtpError(permanent), naming the stage; the
// connection's own failures are net::NetError. check_envelope() runs before anything is
// written. The connection is left open; the caller closes it.
boost::asio::awaitable<void> deliver(net::Connection& connection, const Credentials& credentials,
                                     std::string_view helo_name, Envelope envelope,
                                     std::string_view message);

// The same dialogue in steps, so that one session carries many messages:
// open_session() does the greeting, EHLO, STARTTLS and AUTH; send_transaction() one MAIL FROM,
// RCPT TO and DATA, and after a refusal an RSET so that the session can carry the next one (a
// refusal is rethrown as SmtpError; network failures are net::NetError and end the session);
// quit() ends the session politely and never throws.
boost::asio::awaitable<void> open_session(net::Connection& connection,
                                          const Credentials& credentials,
                                          std::string_view helo_name);
boost::asio::awaitable<void> send_transaction(net::Connection& connection, Envelope envelope,
                                              std::string_view message);
boost::asio::awaitable<void> quit(net::Connection& connection);

}  // namespace contribd::smtp
