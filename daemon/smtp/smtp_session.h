// Sending one reply: connect to the submission server, run the SMTP dialogue, disconnect.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
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

}  // namespace contribd::smtp
