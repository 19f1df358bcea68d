#include "daemon/auth/https_post.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cerrno>
#include <cstring>

#include "daemon/net/tls_context.h"

namespace contribd::auth {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::uint64_t kMaxBody = 1 << 20;

std::string peer(const HttpsUrl& url) {
  return url.host.find(':') != std::string::npos ? fmt::format("[{}]:{}", url.host, url.port)
                                                 : fmt::format("{}:{}", url.host, url.port);
}

// OpenSSL's reason without its "(SSL routines)" suffix, and why the certificate was refused.
std::string describe(const error_code& ec, SSL* handle = nullptr) {
  if (ec == beast::error::timeout) return "timed out";
  if (ec == asio::error::eof || ec == ssl::error::stream_truncated) {
    return "connection closed by server";
  }
  std::string text = ec.message();
  if (ec.category() == asio::error::get_ssl_category()) {
    if (const char* reason = ERR_reason_error_string(static_cast<unsigned long>(ec.value()))) {
      text = reason;
    }
  }
  if (handle) {
    const long verify = SSL_get_verify_result(handle);
    if (verify != X509_V_OK) text += fmt::format(" ({})", X509_verify_cert_error_string(verify));
  }
  return text;
}

ssl::context make_context(const HttpsUrl& url, const std::string& ca_file) {
  try {
    return net::client_tls_context(ca_file);
  } catch (const net::TlsSetupError& error) {
    throw HttpsError(fmt::format("{}: {}", peer(url), error.what()));
  }
}

}  // namespace

asio::awaitable<HttpsResponse> https_post_form(HttpsUrl url, std::string form, std::string ca_file,
                                               std::chrono::seconds timeout) {
  const std::string where = peer(url);
  const auto fail = [&](std::string_view step, const error_code& ec, SSL* handle = nullptr) {
    return HttpsError(fmt::format("{}: {}: {}", where, step, describe(ec, handle)));
  };
  const auto executor = co_await asio::this_coro::executor;
  ssl::context context = make_context(url, ca_file);
  beast::ssl_stream<beast::tcp_stream> stream(executor, context);
  net::verify_peer_name(stream.native_handle(), url.host);

  tcp::resolver resolver(executor);
  const auto [resolve_ec, addresses] =
      co_await resolver.async_resolve(url.host, std::to_string(url.port), kAsTuple);
  if (resolve_ec) throw fail("cannot resolve host name", resolve_ec);
  beast::get_lowest_layer(stream).expires_after(timeout);
  const auto [connect_ec, connected] =
      co_await beast::get_lowest_layer(stream).async_connect(addresses, kAsTuple);
  if (connect_ec) throw fail("cannot connect", connect_ec);

  beast::get_lowest_layer(stream).expires_after(timeout);
  const auto [handshake_ec] = co_await stream.async_handshake(ssl::stream_base::client, kAsTuple);
  if (handshake_ec) throw fail("TLS handshake failed", handshake_ec, stream.native_handle());

  http::request<http::string_body> request(http::verb::post, url.target, 11);
  request.set(http::field::host,
              url.port == 443 ? url.host : fmt::format("{}:{}", url.host, url.port));
  request.set(http::field::user_agent, "contribd");
  request.set(http::field::content_type, "application/x-www-form-urlencoded");
  request.set(http::field::accept, "application/json");
  request.set(http::field::connection, "close");
  request.body() = std::move(form);
  request.prepare_payload();
  beast::get_lowest_layer(stream).expires_after(timeout);
  const auto [write_ec, written] = co_await http::async_write(stream, request, kAsTuple);
  if (write_ec) throw fail("sending the request", write_ec);

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxBody);
  beast::get_lowest_layer(stream).expires_after(timeout);
  const auto [read_ec, read] = co_await http::async_read(stream, buffer, parser, kAsTuple);
  if (read_ec) throw fail("reading the answer", read_ec);

  // The answer is complete (HTTP delimits it), so a server that drops the connection instead
  // of answering close_notify loses nothing: the outcome of the shutdown is ignored.
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(1));
  co_await stream.async_shutdown(kAsTuple);

  HttpsResponse response;
  response.status = parser.get().result_int();
  response.body = std::move(parser.get().body());
  co_return response;
}

}  // namespace contribd::auth
