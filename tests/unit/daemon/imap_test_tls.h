// Test support for the connection and IMAP session tests: a throw-away certificate authority
// made with OpenSSL at run time (no key material in the repository), and a scripted server
// peer on 127.0.0.1 that speaks plaintext, TLS, or plaintext upgraded to TLS.
#pragma once

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace contribd::testing_tls {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertFree {
  void operator()(X509* cert) const { X509_free(cert); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
using CertPtr = std::unique_ptr<X509, CertFree>;

inline void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test certificate: ") + what);
}

inline KeyPtr make_key() {
  KeyPtr key(EVP_EC_gen("P-256"));
  check(key != nullptr, "EVP_EC_gen");
  return key;
}

inline void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  check(ext != nullptr, "X509V3_EXT_conf_nid");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// A certificate for `key`, signed by issuer_key (self-signed when issuer is null).
inline CertPtr make_cert(EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key,
                         const std::string& common_name, const std::string& subject_alt_names) {
  static long serial = 1;
  CertPtr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600L * 24);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
  X509_set_pubkey(cert.get(), key);
  X509* signer = issuer ? issuer : cert.get();
  if (subject_alt_names.empty()) {
    add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert.get(), signer, NID_ext_key_usage, "serverAuth");
    add_extension(cert.get(), signer, NID_subject_alt_name, subject_alt_names);
  }
  add_extension(cert.get(), signer, NID_subject_key_identifier, "hash");
  check(X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256()) > 0, "X509_sign");
  return cert;
}

// A CA written to a PEM file (for Endpoint::ca_file) that issues server certificates.
class TestCa {
 public:
  TestCa()
      : key_(make_key()), cert_(make_cert(key_.get(), nullptr, nullptr, "contribd test CA", "")) {
    static int counter = 0;
    pem_path_ = std::filesystem::path(::testing::TempDir()) /
                ("contribd-test-ca-" + std::to_string(::getpid()) + "-" +
                 std::to_string(counter++) + ".pem");
    FILE* file = std::fopen(pem_path_.c_str(), "w");
    check(file != nullptr, "open CA file");
    PEM_write_X509(file, cert_.get());
    std::fclose(file);
  }
  ~TestCa() {
    std::error_code ignored;
    std::filesystem::remove(pem_path_, ignored);
  }
  TestCa(const TestCa&) = delete;
  TestCa& operator=(const TestCa&) = delete;

  std::string pem_path() const { return pem_path_.string(); }

  // A server context presenting a certificate for these names ("DNS:localhost,IP:127.0.0.1").
  std::unique_ptr<ssl::context> server_context(const std::string& subject_alt_names) const {
    KeyPtr key = make_key();
    CertPtr cert =
        make_cert(key.get(), cert_.get(), key_.get(), "contribd test server", subject_alt_names);
    auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
    check(SSL_CTX_use_certificate(context->native_handle(), cert.get()) == 1, "use cert");
    check(SSL_CTX_use_PrivateKey(context->native_handle(), key.get()) == 1, "use key");
    return context;
  }

 private:
  KeyPtr key_;
  CertPtr cert_;
  std::filesystem::path pem_path_;
};

// The server side of one connection, driven by a test's script.
class ScriptedPeer {
 public:
  ScriptedPeer(asio::io_context& io, ssl::context& context)
      : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        stream_(io, context),
        port_(acceptor_.local_endpoint().port()) {}

  std::uint16_t port() const { return port_; }

  asio::awaitable<void> accept() {
    co_await acceptor_.async_accept(stream_.next_layer(), asio::use_awaitable);
  }
  asio::awaitable<void> handshake() {
    co_await stream_.async_handshake(ssl::stream_base::server, asio::use_awaitable);
    tls_ = true;
  }
  asio::awaitable<void> accept_tls() {
    co_await accept();
    co_await handshake();
  }

  // One line without CRLF; std::nullopt (and the socket closed) at end of stream.
  asio::awaitable<std::optional<std::string>> read_line() {
    for (;;) {
      const auto newline = buffer_.find("\r\n");
      if (newline != std::string::npos) {
        std::string line = buffer_.substr(0, newline);
        buffer_.erase(0, newline + 2);
        co_return line;
      }
      char chunk[4096];
      boost::system::error_code ec;
      std::size_t n = 0;
      if (tls_) {
        n = co_await stream_.async_read_some(asio::buffer(chunk),
                                             asio::redirect_error(asio::use_awaitable, ec));
      } else {
        n = co_await stream_.next_layer().async_read_some(
            asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, ec));
      }
      if (ec) {
        close();  // as a real server does when its client has gone
        co_return std::nullopt;
      }
      buffer_.append(chunk, n);
    }
  }

  // Reads one line and checks it; returns it for further checks.
  asio::awaitable<std::string> expect_line(const std::string& expected) {
    auto line = co_await read_line();
    EXPECT_TRUE(line.has_value()) << "client closed, expected: " << expected;
    EXPECT_EQ(line.value_or(""), expected);
    co_return line.value_or("");
  }

  asio::awaitable<void> send(std::string_view bytes) {
    if (tls_) {
      co_await asio::async_write(stream_, asio::buffer(bytes.data(), bytes.size()),
                                 asio::use_awaitable);
    } else {
      co_await asio::async_write(stream_.next_layer(), asio::buffer(bytes.data(), bytes.size()),
                                 asio::use_awaitable);
    }
  }

  void close() {
    boost::system::error_code ignored;
    stream_.next_layer().close(ignored);
    acceptor_.close(ignored);
  }

  const std::string& pending() const { return buffer_; }

 private:
  tcp::acceptor acceptor_;
  ssl::stream<tcp::socket> stream_;
  std::uint16_t port_;
  std::string buffer_;
  bool tls_ = false;
};

// Runs the server script and the client on one io_context until both end, then rethrows the
// first failure. A script that waits forever is cut off after `limit`.
inline void run_pair(asio::io_context& io, std::function<asio::awaitable<void>()> server,
                     std::function<asio::awaitable<void>()> client,
                     std::chrono::seconds limit = std::chrono::seconds(20)) {
  std::exception_ptr server_error, client_error;
  bool server_done = false, client_done = false;
  asio::co_spawn(io, server(), [&](std::exception_ptr e) {
    server_error = e;
    server_done = true;
  });
  asio::co_spawn(io, client(), [&](std::exception_ptr e) {
    client_error = e;
    client_done = true;
  });
  io.run_for(limit);
  io.stop();
  EXPECT_TRUE(server_done) << "the server script did not finish";
  EXPECT_TRUE(client_done) << "the client did not finish";
  if (client_error) std::rethrow_exception(client_error);
  if (server_error) std::rethrow_exception(server_error);
}

}  // namespace contribd::testing_tls
