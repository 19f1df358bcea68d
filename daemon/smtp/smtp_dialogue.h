// The SMTP client dialogue (RFC 5321, RFC 3207, RFC 4954, RFC 2920) on a connection that is
// already open, so that it can be driven by any net::Connection, a scripted one included.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>

#include "daemon/auth/credentials.h"
#include "daemon/net/connection.h"
#include "daemon/smtp/smtp_error.h"
#include "parsers/smtp_reply.h"

namespace contribd::smtp {

// A password, or an OAuth 2.0 token source with XOAUTH2 or OAUTHBEARER; an empty username
// means no AUTH at all.
using Credentials = auth::Credentials;

struct Envelope {
  std::string_view from;       // "" sends MAIL FROM:<> (RFC 3834 section 3.3)
  std::string_view recipient;  // one plain address
};

// How send_transaction() talks.
struct TransactionOptions {
  // RSET (when asked), MAIL FROM, RCPT TO and DATA in one write, their replies read in order
  // (RFC 2920). Only when the server offered PIPELINING.
  bool pipelining = false;
  // An RSET first: on a session that sat idle it proves that the server still answers before
  // anything of the message is committed.
  bool reset_first = false;
};

// The session turned out to be gone (end of stream, reset, a 421) at the RSET that opened a
// transaction, before anything of the message was accepted: open a new session and send the
// message there.
class SessionGone : public net::NetError {
 public:
  using net::NetError::NetError;
};

// Throws SmtpError when the envelope cannot be sent safely: permanent for a recipient that is
// empty or not a plain address (CR/LF, spaces, brackets) and for such a sender ("" is the null
// sender and fine).
void check_envelope(const net::Endpoint& endpoint, Envelope envelope);

// Greeting, EHLO, STARTTLS and EHLO again when the endpoint asks for it (an error when the
// server does not offer it), AUTH only once the connection is TLS (PLAIN or LOGIN with a
// password; XOAUTH2 or OAUTHBEARER with a token, once more with a fresh token when the server
// refuses the first, its error challenge answered and reported). Returns what the last EHLO
// offered. A refusal throws SmtpError (temporary: it is about the server or our configuration,
// not a message); the connection's own failures are net::NetError. `helo_name` must be a host
// name or an address literal (SmtpError otherwise, before anything is written).
boost::asio::awaitable<Extensions> open_session(net::Connection& connection,
                                                const Credentials& credentials,
                                                std::string_view helo_name);

// One message on an open session: MAIL FROM, RCPT TO, DATA with dot-stuffing. Returns once the
// server has accepted it. The first refusal is the one reported, naming its command, even when
// pipelined commands after it were refused too: SmtpError, permanent for a 5xx; then an RSET
// leaves the session ready for the next message. check_envelope() runs before anything is
// written. Network failures are net::NetError and end the session; SessionGone when
// `reset_first` found the session gone.
boost::asio::awaitable<void> send_transaction(net::Connection& connection, Envelope envelope,
                                              std::string_view message,
                                              TransactionOptions options = {});

// QUIT, politely; never throws. The caller closes the connection.
boost::asio::awaitable<void> quit(net::Connection& connection);

}  // namespace contribd::smtp
