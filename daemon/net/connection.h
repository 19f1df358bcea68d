// A line-oriented TCP connection with verified TLS, shared by the IMAP and SMTP sessions.
// Every read and write carries a deadline; a timeout, a reset or a TLS failure throws
// NetError naming the host and port. Plaintext is never offered: a connection is either
// TLS from the first byte, or upgraded by start_tls() before any credential is sent.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "storage/spool_file.h"

namespace contribd::net {

enum class Security { tls, starttls };

struct Endpoint {
  std::string host;  // a DNS name or an IP literal; verified against the certificate
  std::uint16_t port = 0;
  Security security = Security::tls;
  std::string ca_file;               // optional extra CA bundle; the system store is always trusted
  std::chrono::seconds timeout{60};  // per read or write
};

class NetError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Connection {
 public:
  // Resolves, connects and, for Security::tls, completes the TLS handshake.
  static boost::asio::awaitable<std::unique_ptr<Connection>> open(boost::asio::any_io_executor ex,
                                                                  Endpoint endpoint);
  virtual ~Connection() = default;

  // Upgrades a plain connection after the protocol's STARTTLS command was accepted.
  virtual boost::asio::awaitable<void> start_tls() = 0;
  // One line without its CRLF (a bare LF is accepted); throws past max_line bytes.
  virtual boost::asio::awaitable<std::string> read_line(std::size_t max_line = 1 << 20) = 0;
  // As read_line(), but waiting up to `timeout` instead of endpoint().timeout: IMAP IDLE waits
  // for minutes where an ordinary reply takes seconds. The default ignores the timeout, for
  // connections (test doubles) that have no clock.
  virtual boost::asio::awaitable<std::string> read_line_within(
      std::chrono::steady_clock::duration timeout, std::size_t max_line = 1 << 20);
  // Exactly n bytes (an IMAP literal); appended to out so that large bodies are not copied.
  virtual boost::asio::awaitable<void> read_exact(std::size_t n, std::string& out) = 0;
  // Exactly n bytes (an IMAP literal) appended to `out` piece by piece, so that a large body
  // never sits in memory whole; each piece (256 KiB for TLS connections) must arrive within
  // the endpoint's timeout. The default goes through read_exact() in 1 MiB pieces; a
  // write error of the file is the SpoolFile's std::system_error.
  virtual boost::asio::awaitable<void> read_exact_to(std::size_t n, storage::SpoolFile& out);
  virtual boost::asio::awaitable<void> write(std::string_view bytes) = 0;
  // Best-effort TLS close_notify and socket close; never throws.
  virtual boost::asio::awaitable<void> close() = 0;

  virtual bool is_tls() const = 0;
  virtual const Endpoint& endpoint() const = 0;
  // "host:port", for log lines and error messages.
  std::string peer() const;
};

}  // namespace contribd::net
