// The outbox's SMTP session: connect to the submission server once, log in, send many replies.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string_view>

#include "daemon/net/connection.h"
#include "daemon/smtp/smtp_dialogue.h"
#include "daemon/smtp/smtp_error.h"

namespace contribd::smtp {

// One authenticated SMTP session for many replies: opening it costs a TCP and TLS handshake
// and a SASL exchange, which dominate the time of sending a short reply.
class Session {
 public:
  // Connects (TLS, or STARTTLS as `endpoint` says) and starts the session on it.
  static boost::asio::awaitable<std::unique_ptr<Session>> open(
      boost::asio::any_io_executor executor, const net::Endpoint& endpoint,
      const Credentials& credentials, std::string_view helo_name, bool pipelining);

  // open_session() on a connection already open (a scripted one in tests). Throws SmtpError for
  // the server's refusals and net::NetError for network and TLS failures, which are temporary;
  // the connection is then closed. PIPELINING is used when `pipelining` and the server offers
  // it. `helo_name` must be a host name or address literal.
  static boost::asio::awaitable<std::unique_ptr<Session>> start(
      std::unique_ptr<net::Connection> connection, const Credentials& credentials,
      std::string_view helo_name, bool pipelining);

  // One message (send_transaction()). SmtpError is about this message only (the session is
  // still usable); net::NetError means the session is gone, SessionGone that it was found gone
  // at the RSET that `reset_first` sends before the message.
  boost::asio::awaitable<void> send(std::string_view envelope_from, std::string_view recipient,
                                    std::string_view message, bool reset_first = false);

  bool pipelining() const { return pipelining_; }

  // QUIT and close; never throws.
  boost::asio::awaitable<void> close();

 private:
  Session(std::unique_ptr<net::Connection> connection, bool pipelining)
      : connection_(std::move(connection)), pipelining_(pipelining) {}
  std::unique_ptr<net::Connection> connection_;
  bool pipelining_;
};

}  // namespace contribd::smtp
