#include "daemon/smtp/smtp_session.h"

#include <exception>

namespace contribd::smtp {

boost::asio::awaitable<std::unique_ptr<Session>> Session::open(
    boost::asio::any_io_executor executor, const net::Endpoint& endpoint,
    const Credentials& credentials, std::string_view helo_name, bool pipelining) {
  std::unique_ptr<net::Connection> connection =
      co_await net::Connection::open(std::move(executor), endpoint);
  co_return co_await start(std::move(connection), credentials, helo_name, pipelining);
}

boost::asio::awaitable<std::unique_ptr<Session>> Session::start(
    std::unique_ptr<net::Connection> connection, const Credentials& credentials,
    std::string_view helo_name, bool pipelining) {
  std::exception_ptr failure;
  Extensions offered;
  try {
    offered = co_await open_session(*connection, credentials, helo_name);
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    co_await quit(*connection);
    co_await connection->close();
    std::rethrow_exception(failure);
  }
  const bool pipelined = pipelining && offered.has("PIPELINING");
  co_return std::unique_ptr<Session>(new Session(std::move(connection), pipelined));
}

boost::asio::awaitable<void> Session::send(std::string_view envelope_from,
                                           std::string_view recipient, std::string_view message,
                                           bool reset_first) {
  const Envelope envelope{envelope_from, recipient};
  TransactionOptions options;
  options.pipelining = pipelining_;
  options.reset_first = reset_first;
  co_await send_transaction(*connection_, envelope, message, options);
}

boost::asio::awaitable<void> Session::close() {
  co_await quit(*connection_);
  co_await connection_->close();
}

}  // namespace contribd::smtp
