// Sending one reply: connect to the submission server, run the SMTP dialogue, disconnect.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string_view>

#include "daemon/net/connection.h"
#include "daemon/smtp/smtp_dialogue.h"
#include "daemon/smtp/smtp_error.h"

namespace contribd::smtp {

// Opens a connection to `endpoint` (TLS, or STARTTLS as it says), delivers `message` (CRLF
// bytes) to `recipient` with deliver(), and closes. Throws SmtpError for the server's refusals
// (permanent for 5xx and for a recipient that can never be sent) and net::NetError for network
// and TLS failures, which are temporary. `helo_name` must be a host name or address literal.
// The views must stay valid until the returned awaitable completes (co_await it directly).
boost::asio::awaitable<void> send_message(boost::asio::any_io_executor executor,
                                          const net::Endpoint& endpoint,
                                          const Credentials& credentials,
                                          std::string_view envelope_from,
                                          std::string_view recipient, std::string_view message,
                                          std::string_view helo_name = "localhost");

// One authenticated SMTP session for many replies: opening it costs a TCP and TLS handshake
// and a SASL exchange, which dominate the time of sending a short reply.
class Session {
 public:
  // Connects and runs open_session(); throws SmtpError or net::NetError like send_message.
  static boost::asio::awaitable<std::unique_ptr<Session>> open(
      boost::asio::any_io_executor executor, const net::Endpoint& endpoint,
      const Credentials& credentials, std::string_view helo_name = "localhost");

  // One message. SmtpError is about this message only (the session is still usable);
  // net::NetError means the session is gone.
  boost::asio::awaitable<void> send(std::string_view envelope_from, std::string_view recipient,
                                    std::string_view message);

  // QUIT and close; never throws.
  boost::asio::awaitable<void> close();

 private:
  explicit Session(std::unique_ptr<net::Connection> connection)
      : connection_(std::move(connection)) {}
  std::unique_ptr<net::Connection> connection_;
};

}  // namespace contribd::smtp
