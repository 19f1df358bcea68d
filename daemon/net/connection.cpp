#include "daemon/net/connection.h"

#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstring>
#include <variant>

#include "daemon/net/tls_context.h"

namespace contribd::net {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using namespace asio::experimental::awaitable_operators;

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = 16 * 1024;
constexpr std::size_t kSpoolChunk = 256 * 1024;  // a literal goes to its file in pieces this big
constexpr std::chrono::seconds kMaxCloseWait{1};

// TCP keepalive: a connection that sits in IMAP IDLE for minutes is probed after one idle
// minute, every 20 s, and declared dead after 3 unanswered probes, so that a peer that
// vanished (NAT state dropped, host gone) shows up as a read error within two minutes.
constexpr int kKeepaliveIdleSeconds = 60;
constexpr int kKeepaliveIntervalSeconds = 20;
constexpr int kKeepaliveProbes = 3;

// "[::1]" as written in a URL is "::1" to the resolver and to the certificate check.
std::string bare_host(const std::string& host) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    return host.substr(1, host.size() - 2);
  }
  return host;
}

std::string lower_first(std::string text) {
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') text[0] = static_cast<char>(text[0] + 32);
  return text;
}

bool is_closed_by_peer(const error_code& ec) {
  return ec == asio::error::eof || ec == ssl::error::stream_truncated;
}

// An OpenSSL error as a person reads it: "certificate verify failed (unable to get local issuer
// certificate)", without the library's "(SSL routines)" suffix.
std::string describe(const error_code& ec, SSL* ssl_handle = nullptr) {
  if (is_closed_by_peer(ec)) return "connection closed by server";
  std::string text;
  if (ec.category() == asio::error::get_ssl_category()) {
    const char* reason = ERR_reason_error_string(static_cast<unsigned long>(ec.value()));
    text = reason ? reason : ec.message();
  } else {
    text = lower_first(ec.message());
  }
  if (ssl_handle) {
    const long verify = SSL_get_verify_result(ssl_handle);
    if (verify != X509_V_OK) text += fmt::format(" ({})", X509_verify_cert_error_string(verify));
  }
  return text;
}

class TlsConnection final : public Connection {
 public:
  TlsConnection(asio::any_io_executor executor, Endpoint endpoint)
      : endpoint_(std::move(endpoint)),
        host_(bare_host(endpoint_.host)),
        context_(make_context()),
        stream_(executor, context_) {}

  asio::awaitable<void> connect();
  asio::awaitable<void> handshake();

  asio::awaitable<void> start_tls() override;
  asio::awaitable<std::string> read_line(std::size_t max_line) override;
  asio::awaitable<std::string> read_line_within(std::chrono::steady_clock::duration timeout,
                                                std::size_t max_line) override;
  asio::awaitable<void> read_exact(std::size_t n, std::string& out) override;
  asio::awaitable<void> read_exact_to(std::size_t n, storage::SpoolFile& out) override;
  asio::awaitable<void> write(std::string_view bytes) override;
  asio::awaitable<void> close() override;

  bool is_tls() const override { return tls_; }
  const Endpoint& endpoint() const override { return endpoint_; }

 private:
  ssl::context make_context() const;
  void enable_keepalive();
  [[noreturn]] void fail(std::string_view what, const error_code& ec, bool with_verify = false);

  // Runs one socket operation against a deadline; the loser of the race is cancelled.
  template <typename Result>
  asio::awaitable<Result> within(asio::awaitable<Result> op,
                                 std::chrono::steady_clock::duration timeout,
                                 std::string_view what);
  asio::awaitable<std::size_t> read_some(char* data, std::size_t size,
                                         std::chrono::steady_clock::duration timeout);
  // Exactly `size` bytes, with one deadline for all of them (a TLS record is at most 16 KB:
  // one timer per record would cost more than the record's decryption).
  asio::awaitable<void> read_fully(char* data, std::size_t size,
                                   std::chrono::steady_clock::duration timeout);
  std::optional<std::string> take_line();

  Endpoint endpoint_;
  std::string host_;
  ssl::context context_;  // outlives stream_, which refers to it
  ssl::stream<tcp::socket> stream_;
  std::string buffer_;                   // bytes received but not yet handed out
  std::unique_ptr<char[]> spool_chunk_;  // read_exact_to()'s buffer, kept between literals
  bool tls_ = false;
  bool broken_ = false;  // after a timeout or an error: no TLS goodbye, just close
};

ssl::context TlsConnection::make_context() const {
  try {
    return client_tls_context(endpoint_.ca_file);
  } catch (const TlsSetupError& error) {
    throw NetError(fmt::format("{}: {}", peer(), error.what()));
  }
}

void TlsConnection::fail(std::string_view what, const error_code& ec, bool with_verify) {
  broken_ = true;
  throw NetError(fmt::format("{}: {}: {}", peer(), what,
                             describe(ec, with_verify ? stream_.native_handle() : nullptr)));
}

template <typename Result>
asio::awaitable<Result> TlsConnection::within(asio::awaitable<Result> op,
                                              std::chrono::steady_clock::duration timeout,
                                              std::string_view what) {
  asio::steady_timer timer(co_await asio::this_coro::executor, timeout);
  auto outcome = co_await (std::move(op) || timer.async_wait(kAsTuple));
  if (outcome.index() == 1) {
    broken_ = true;
    const auto seconds = std::chrono::ceil<std::chrono::seconds>(timeout).count();
    throw NetError(fmt::format("{}: {} timed out after {} s", peer(), what, seconds));
  }
  co_return std::get<0>(std::move(outcome));
}

asio::awaitable<void> TlsConnection::connect() {
  tcp::resolver resolver(co_await asio::this_coro::executor);
  const auto [resolve_ec, results] =
      co_await within(resolver.async_resolve(host_, std::to_string(endpoint_.port), kAsTuple),
                      endpoint_.timeout, "resolving the host name");
  if (resolve_ec) fail("cannot resolve host name", resolve_ec);

  // Every address is tried: "localhost" may resolve to ::1 first while the server listens on
  // 127.0.0.1 only.
  std::string attempts;
  for (const auto& entry : results) {
    auto& socket = stream_.next_layer();
    error_code ignored;
    socket.close(ignored);
    const auto [ec] = co_await within(socket.async_connect(entry.endpoint(), kAsTuple),
                                      endpoint_.timeout, "connecting");
    if (!ec) {
      enable_keepalive();
      co_return;
    }
    if (!attempts.empty()) attempts += "; ";
    attempts += fmt::format("{}: {}", entry.endpoint().address().to_string(), describe(ec));
  }
  broken_ = true;
  if (results.size() == 1) {
    // The single address is the host itself in the common case; say it once.
    throw NetError(
        fmt::format("{}: cannot connect: {}", peer(), attempts.substr(attempts.find(": ") + 2)));
  }
  throw NetError(fmt::format("{}: cannot connect ({})", peer(), attempts));
}

// Best effort: a socket without keepalive still works, the protocol timeouts remain.
void TlsConnection::enable_keepalive() {
  auto& socket = stream_.next_layer();
  error_code ignored;
  socket.set_option(tcp::socket::keep_alive(true), ignored);
  const int fd = socket.native_handle();
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &kKeepaliveIdleSeconds, sizeof(int));
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &kKeepaliveIntervalSeconds, sizeof(int));
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &kKeepaliveProbes, sizeof(int));
}

asio::awaitable<void> TlsConnection::handshake() {
  verify_peer_name(stream_.native_handle(), host_);
  const auto [ec] = co_await within(stream_.async_handshake(ssl::stream_base::client, kAsTuple),
                                    endpoint_.timeout, "TLS handshake");
  if (ec) fail("TLS handshake failed", ec, true);
  tls_ = true;
}

asio::awaitable<void> TlsConnection::start_tls() {
  if (tls_) co_return;
  if (!buffer_.empty()) {
    // Bytes that arrived in plaintext after the server accepted STARTTLS would be read as if
    // they came over TLS (CVE-2011-0411 style injection): refuse the connection.
    broken_ = true;
    throw NetError(
        fmt::format("{}: server sent data after accepting STARTTLS; refusing it", peer()));
  }
  co_await handshake();
}

asio::awaitable<std::size_t> TlsConnection::read_some(char* data, std::size_t size,
                                                      std::chrono::steady_clock::duration timeout) {
  if (broken_) throw NetError(fmt::format("{}: connection is no longer usable", peer()));
  const auto buffer = asio::buffer(data, size);
  std::tuple<error_code, std::size_t> result;
  if (tls_) {
    result = co_await within(stream_.async_read_some(buffer, kAsTuple), timeout, "reading");
  } else {
    result =
        co_await within(stream_.next_layer().async_read_some(buffer, kAsTuple), timeout, "reading");
  }
  const auto [ec, n] = result;
  if (ec) fail("read failed", ec);
  co_return n;
}

asio::awaitable<void> TlsConnection::read_fully(char* data, std::size_t size,
                                                std::chrono::steady_clock::duration timeout) {
  if (broken_) throw NetError(fmt::format("{}: connection is no longer usable", peer()));
  const auto buffer = asio::buffer(data, size);
  std::tuple<error_code, std::size_t> result;
  if (tls_) {
    result = co_await within(asio::async_read(stream_, buffer, kAsTuple), timeout, "reading");
  } else {
    result = co_await within(asio::async_read(stream_.next_layer(), buffer, kAsTuple), timeout,
                             "reading");
  }
  const auto [ec, n] = result;
  if (ec) fail("read failed", ec);
}

std::optional<std::string> TlsConnection::take_line() {
  const std::size_t newline = buffer_.find('\n');
  if (newline == std::string::npos) return std::nullopt;
  std::size_t end = newline;
  if (end > 0 && buffer_[end - 1] == '\r') --end;
  std::string line = buffer_.substr(0, end);
  buffer_.erase(0, newline + 1);
  return line;
}

asio::awaitable<std::string> TlsConnection::read_line(std::size_t max_line) {
  co_return co_await read_line_within(endpoint_.timeout, max_line);
}

asio::awaitable<std::string> TlsConnection::read_line_within(
    std::chrono::steady_clock::duration timeout, std::size_t max_line) {
  for (;;) {
    if (auto line = take_line()) {
      if (line->size() > max_line) break;
      co_return std::move(*line);
    }
    if (buffer_.size() > max_line + 1) break;  // +1: the CR of a CRLF not yet complete
    char chunk[kReadChunk];
    const std::size_t n = co_await read_some(chunk, sizeof chunk, timeout);
    buffer_.append(chunk, n);
  }
  broken_ = true;
  throw NetError(fmt::format("{}: server sent a line longer than {} bytes", peer(), max_line));
}

asio::awaitable<void> TlsConnection::read_exact(std::size_t n, std::string& out) {
  const std::size_t buffered = std::min(n, buffer_.size());
  out.append(buffer_, 0, buffered);
  buffer_.erase(0, buffered);
  std::size_t missing = n - buffered;
  const std::size_t start = out.size();
  out.resize(start + missing);
  std::size_t filled = 0;
  while (missing > 0) {
    const std::size_t got =
        co_await read_some(out.data() + start + filled, missing, endpoint_.timeout);
    filled += got;
    missing -= got;
  }
}

asio::awaitable<void> TlsConnection::read_exact_to(std::size_t n, storage::SpoolFile& out) {
  const std::size_t buffered = std::min(n, buffer_.size());
  out.append(std::string_view(buffer_).substr(0, buffered));
  buffer_.erase(0, buffered);
  std::size_t missing = n - buffered;
  if (!spool_chunk_) spool_chunk_ = std::make_unique_for_overwrite<char[]>(kSpoolChunk);
  // Whole pieces: one write into the spool file and one deadline per piece.
  while (missing > 0) {
    const std::size_t piece = std::min(missing, kSpoolChunk);
    co_await read_fully(spool_chunk_.get(), piece, endpoint_.timeout);
    out.append(std::string_view(spool_chunk_.get(), piece));
    missing -= piece;
  }
}

asio::awaitable<void> TlsConnection::write(std::string_view bytes) {
  if (broken_) throw NetError(fmt::format("{}: connection is no longer usable", peer()));
  const auto buffer = asio::buffer(bytes.data(), bytes.size());
  std::tuple<error_code, std::size_t> result;
  if (tls_) {
    result =
        co_await within(asio::async_write(stream_, buffer, kAsTuple), endpoint_.timeout, "writing");
  } else {
    result = co_await within(asio::async_write(stream_.next_layer(), buffer, kAsTuple),
                             endpoint_.timeout, "writing");
  }
  const auto [ec, n] = result;
  if (ec) fail("write failed", ec);
}

asio::awaitable<void> TlsConnection::close() {
  error_code ignored;
  if (tls_ && !broken_ && stream_.next_layer().is_open()) {
    // close_notify tells the server the session ended on purpose; it leaves at once, and the
    // wait is only for the server's answer. IMAP and SMTP delimit their own data, so a server
    // that drops the TCP connection instead loses nothing: errors and silence are ignored.
    try {
      asio::steady_timer timer(
          co_await asio::this_coro::executor,
          std::min<std::chrono::steady_clock::duration>(endpoint_.timeout, kMaxCloseWait));
      co_await (stream_.async_shutdown(kAsTuple) || timer.async_wait(kAsTuple));
    } catch (const std::exception&) {
    }
  }
  broken_ = true;
  stream_.next_layer().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.next_layer().close(ignored);
}

}  // namespace

std::string Connection::peer() const {
  const Endpoint& where = endpoint();
  const bool bracket = where.host.find(':') != std::string::npos && where.host[0] != '[';
  return bracket ? fmt::format("[{}]:{}", where.host, where.port)
                 : fmt::format("{}:{}", where.host, where.port);
}

asio::awaitable<std::string> Connection::read_line_within(
    std::chrono::steady_clock::duration /*timeout*/, std::size_t max_line) {
  co_return co_await read_line(max_line);
}

asio::awaitable<void> Connection::read_exact_to(std::size_t n, storage::SpoolFile& out) {
  constexpr std::size_t kPiece = 1 << 20;
  std::string piece;
  while (n > 0) {
    const std::size_t step = std::min(n, kPiece);
    piece.clear();
    co_await read_exact(step, piece);
    out.append(piece);
    n -= step;
  }
}

asio::awaitable<std::unique_ptr<Connection>> Connection::open(asio::any_io_executor executor,
                                                              Endpoint endpoint) {
  auto connection = std::make_unique<TlsConnection>(std::move(executor), std::move(endpoint));
  co_await connection->connect();
  if (connection->endpoint().security == Security::tls) co_await connection->handshake();
  co_return connection;
}

}  // namespace contribd::net
