#include "daemon/smtp/smtp_session.h"

#include <exception>

namespace contribd::smtp {

boost::asio::awaitable<std::unique_ptr<Session>> Session::open(
    boost::asio::any_io_executor executor, const net::Endpoint& endpoint,
    const Credentials& credentials, std::string_view helo_name) {
  std::unique_ptr<net::Connection> connection =
      co_await net::Connection::open(std::move(executor), endpoint);
  std::exception_ptr failure;
  try {
    co_await open_session(*connection, credentials, helo_name);
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    co_await quit(*connection);
    co_await connection->close();
    std::rethrow_exception(failure);
  }
  co_return std::unique_ptr<Session>(new Session(std::move(connection)));
}

boost::asio::awaitable<void> Session::send(std::string_view envelope_from,
                                           std::string_view recipient, std::string_view message) {
  const Envelope envelope{envelope_from, recipient};
  co_await send_transaction(*connection_, envelope, message);
}

boost::asio::awaitable<void> Session::close() {
  co_await quit(*connection_);
  co_await connection_->close();
}

}  // namespace contribd::smtp
