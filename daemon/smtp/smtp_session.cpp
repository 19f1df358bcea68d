#include "daemon/smtp/smtp_session.h"

#include <exception>

namespace contribd::smtp {

boost::asio::awaitable<void> send_message(boost::asio::any_io_executor executor,
                                          const net::Endpoint& endpoint,
                                          const Credentials& credentials,
                                          std::string_view envelope_from,
                                          std::string_view recipient, std::string_view message,
                                          std::string_view helo_name) {
  check_envelope(endpoint, Envelope{envelope_from, recipient}, helo_name);
  std::unique_ptr<net::Connection> connection =
      co_await net::Connection::open(std::move(executor), endpoint);
  std::exception_ptr failure;
  try {
    co_await deliver(*connection, credentials, helo_name, Envelope{envelope_from, recipient},
                     message);
  } catch (...) {
    failure = std::current_exception();
  }
  co_await connection->close();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace contribd::smtp
