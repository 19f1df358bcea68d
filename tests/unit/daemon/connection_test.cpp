#include "daemon/net/connection.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/use_awaitable.hpp>

#include "tests/unit/daemon/imap_test_tls.h"

namespace contribd::net {
namespace {

namespace asio = boost::asio;
using contribd::testing_tls::run_pair;
using contribd::testing_tls::ScriptedPeer;
using contribd::testing_tls::TestCa;
using ::testing::HasSubstr;

class ConnectionTest : public ::testing::Test {
 protected:
  Endpoint endpoint_for(const ScriptedPeer& peer, std::string host = "127.0.0.1") const {
    Endpoint endpoint;
    endpoint.host = std::move(host);
    endpoint.port = peer.port();
    endpoint.ca_file = ca_.pem_path();
    endpoint.timeout = std::chrono::seconds(5);
    return endpoint;
  }

  // What Connection::open() threw, or "" when it succeeded.
  std::string open_error(ScriptedPeer& peer, Endpoint endpoint, bool server_handshakes = true) {
    std::string error;
    run_pair(
        io_,
        [&]() -> asio::awaitable<void> {
          co_await peer.accept();
          if (server_handshakes) {
            try {
              co_await peer.handshake();
              co_await peer.read_line();  // until the client closes
            } catch (const std::exception&) {
              // the client refused the certificate: expected in these tests
            }
          } else {
            co_await peer.read_line();  // wait for the client to give up
          }
        },
        [&]() -> asio::awaitable<void> {
          try {
            auto connection = co_await Connection::open(io_.get_executor(), endpoint);
            co_await connection->close();
          } catch (const NetError& e) {
            error = e.what();
          }
        });
    return error;
  }

  asio::io_context io_;
  TestCa ca_;
};

TEST_F(ConnectionTest, TlsLinesLiteralsAndWrites) {
  auto server_tls = ca_.server_context("DNS:localhost,IP:127.0.0.1");
  ScriptedPeer peer(io_, *server_tls);
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await peer.accept_tls();
        // Lines split across writes, a bare LF, and a literal that arrives partly with its line.
        co_await peer.send("* OK hel");
        co_await peer.send("lo\r\nbare\n* 1 FETCH {10}\r\n01234");
        co_await peer.send("56789)\r\n");
        co_await peer.expect_line("A1 LOGOUT");
        co_await peer.send("* BYE\r\n");
        co_await peer.read_line();  // the client's close_notify
      },
      [&]() -> asio::awaitable<void> {
        auto connection = co_await Connection::open(io_.get_executor(), endpoint_for(peer));
        EXPECT_TRUE(connection->is_tls());
        EXPECT_EQ(connection->peer(), "127.0.0.1:" + std::to_string(peer.port()));
        EXPECT_EQ(co_await connection->read_line(), "* OK hello");
        EXPECT_EQ(co_await connection->read_line(), "bare");
        EXPECT_EQ(co_await connection->read_line(), "* 1 FETCH {10}");
        std::string body = "prefix:";
        co_await connection->read_exact(10, body);
        EXPECT_EQ(body, "prefix:0123456789");
        EXPECT_EQ(co_await connection->read_line(), ")");
        co_await connection->write("A1 LOGOUT\r\n");
        EXPECT_EQ(co_await connection->read_line(), "* BYE");
        co_await connection->close();
      });
}

TEST_F(ConnectionTest, DnsNameIsVerifiedAndEveryAddressIsTried) {
  // "localhost" may resolve to ::1 first; the peer listens on 127.0.0.1 only.
  auto server_tls = ca_.server_context("DNS:localhost");
  ScriptedPeer peer(io_, *server_tls);
  EXPECT_EQ(open_error(peer, endpoint_for(peer, "localhost")), "");
}

TEST_F(ConnectionTest, UnknownIssuerIsRefused) {
  auto server_tls = ca_.server_context("IP:127.0.0.1");
  ScriptedPeer peer(io_, *server_tls);
  Endpoint endpoint = endpoint_for(peer);
  endpoint.ca_file.clear();  // the system store does not know the test CA
  EXPECT_EQ(open_error(peer, endpoint),
            "127.0.0.1:" + std::to_string(peer.port()) +
                ": TLS handshake failed: certificate verify failed (unable to get local issuer "
                "certificate)");
}

TEST_F(ConnectionTest, CertificateForAnotherAddressIsRefused) {
  auto server_tls = ca_.server_context("DNS:imap.other.test,IP:127.0.0.2");
  ScriptedPeer peer(io_, *server_tls);
  EXPECT_THAT(open_error(peer, endpoint_for(peer)),
              HasSubstr("TLS handshake failed: certificate verify failed (IP address mismatch)"));
}

TEST_F(ConnectionTest, CertificateForAnotherNameIsRefused) {
  auto server_tls = ca_.server_context("DNS:imap.other.test,IP:127.0.0.1");
  ScriptedPeer peer(io_, *server_tls);
  EXPECT_THAT(open_error(peer, endpoint_for(peer, "localhost")),
              HasSubstr("TLS handshake failed: certificate verify failed (hostname mismatch)"));
}

TEST_F(ConnectionTest, WildcardDoesNotCoverTheBareDomain) {
  auto server_tls = ca_.server_context("DNS:*.localhost");
  ScriptedPeer peer(io_, *server_tls);
  EXPECT_THAT(open_error(peer, endpoint_for(peer, "localhost")), HasSubstr("hostname mismatch"));
}

TEST_F(ConnectionTest, MissingCaFileIsNamed) {
  Endpoint endpoint;
  endpoint.host = "127.0.0.1";
  endpoint.port = 9;
  endpoint.ca_file = "/nonexistent/contribd-ca.pem";
  std::string error;
  asio::co_spawn(io_, Connection::open(io_.get_executor(), endpoint),
                 [&](std::exception_ptr e, std::unique_ptr<Connection>) {
                   try {
                     if (e) std::rethrow_exception(e);
                   } catch (const NetError& net) {
                     error = net.what();
                   }
                 });
  io_.run();
  EXPECT_EQ(error,
            "127.0.0.1:9: cannot read CA file /nonexistent/contribd-ca.pem: No such file or "
            "directory");
}

TEST_F(ConnectionTest, CaFileWithoutCertificatesIsRefused) {
  const std::string path = ca_.pem_path() + ".empty";
  { std::ofstream(path) << "not a certificate\n"; }
  Endpoint endpoint;
  endpoint.host = "127.0.0.1";
  endpoint.port = 9;
  endpoint.ca_file = path;
  std::string error;
  asio::co_spawn(io_, Connection::open(io_.get_executor(), endpoint),
                 [&](std::exception_ptr e, std::unique_ptr<Connection>) {
                   try {
                     if (e) std::rethrow_exception(e);
                   } catch (const NetError& net) {
                     error = net.what();
                   }
                 });
  io_.run();
  std::filesystem::remove(path);
  EXPECT_THAT(error, HasSubstr("127.0.0.1:9: cannot load CA file " + path + ": "));
}

TEST_F(ConnectionTest, RefusedConnectionSaysSo) {
  std::uint16_t closed_port = 0;
  {
    asio::ip::tcp::acceptor probe(io_, {asio::ip::make_address("127.0.0.1"), 0});
    closed_port = probe.local_endpoint().port();
  }
  Endpoint endpoint;
  endpoint.host = "127.0.0.1";
  endpoint.port = closed_port;
  std::string error;
  asio::co_spawn(io_, Connection::open(io_.get_executor(), endpoint),
                 [&](std::exception_ptr e, std::unique_ptr<Connection>) {
                   try {
                     if (e) std::rethrow_exception(e);
                   } catch (const NetError& net) {
                     error = net.what();
                   }
                 });
  io_.run();
  EXPECT_EQ(error,
            "127.0.0.1:" + std::to_string(closed_port) + ": cannot connect: connection refused");
}

TEST_F(ConnectionTest, SilentServerTimesOutTheHandshake) {
  auto server_tls = ca_.server_context("IP:127.0.0.1");
  ScriptedPeer peer(io_, *server_tls);
  Endpoint endpoint = endpoint_for(peer);
  endpoint.timeout = std::chrono::seconds(1);
  EXPECT_EQ(open_error(peer, endpoint, /*server_handshakes=*/false),
            "127.0.0.1:" + std::to_string(peer.port()) + ": TLS handshake timed out after 1 s");
}

TEST_F(ConnectionTest, SilentServerTimesOutARead) {
  auto server_tls = ca_.server_context("IP:127.0.0.1");
  ScriptedPeer peer(io_, *server_tls);
  Endpoint endpoint = endpoint_for(peer);
  endpoint.timeout = std::chrono::seconds(1);
  std::string error;
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await peer.accept_tls();
        co_await peer.read_line();  // until the client gives up
      },
      [&]() -> asio::awaitable<void> {
        auto connection = co_await Connection::open(io_.get_executor(), endpoint);
        const auto started = std::chrono::steady_clock::now();
        try {
          co_await connection->read_line();
        } catch (const NetError& e) {
          error = e.what();
        }
        EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
        co_await connection->close();
      });
  EXPECT_EQ(error, "127.0.0.1:" + std::to_string(peer.port()) + ": reading timed out after 1 s");
}

TEST_F(ConnectionTest, ReadLineWithinUsesItsOwnDeadline) {
  auto server_tls = ca_.server_context("IP:127.0.0.1");
  ScriptedPeer peer(io_, *server_tls);
  Endpoint endpoint = endpoint_for(peer);
  endpoint.timeout = std::chrono::seconds(1);
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await peer.accept_tls();
        asio::steady_timer pause(io_, std::chrono::milliseconds(1500));
        co_await pause.async_wait(asio::use_awaitable);
        co_await peer.send("* 4 EXISTS\r\n");
        co_await peer.read_line();
      },
      [&]() -> asio::awaitable<void> {
        auto connection = co_await Connection::open(io_.get_executor(), endpoint);
        EXPECT_EQ(co_await connection->read_line_within(std::chrono::seconds(4)), "* 4 EXISTS");
        co_await connection->close();
      });
}

TEST_F(ConnectionTest, OverlongLineIsRefused) {
  auto server_tls = ca_.server_context("IP:127.0.0.1");
  ScriptedPeer peer(io_, *server_tls);
  std::string error;
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await peer.accept_tls();
        co_await peer.send("0123456789abcdef\r\n" + std::string(100, 'x') + "\r\n");
        co_await peer.read_line();
      },
      [&]() -> asio::awaitable<void> {
        auto connection = co_await Connection::open(io_.get_executor(), endpoint_for(peer));
        EXPECT_EQ(co_await connection->read_line(16), "0123456789abcdef");
        try {
          co_await connection->read_line(16);
        } catch (const NetError& e) {
          error = e.what();
        }
        co_await connection->close();
      });
  EXPECT_THAT(error, HasSubstr("server sent a line longer than 16 bytes"));
}

TEST_F(ConnectionTest, EndOfStreamIsAnError) {
  auto server_tls = ca_.server_context("IP:127.0.0.1");
  ScriptedPeer peer(io_, *server_tls);
  std::string error;
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await peer.accept_tls();
        co_await peer.send("* BYE going\r\n");
        peer.close();
      },
      [&]() -> asio::awaitable<void> {
        auto connection = co_await Connection::open(io_.get_executor(), endpoint_for(peer));
        EXPECT_EQ(co_await connection->read_line(), "* BYE going");
        try {
          co_await connection->read_line();
        } catch (const NetError& e) {
          error = e.what();
        }
        co_await connection->close();
      });
  EXPECT_EQ(error, "127.0.0.1:" + std::to_string(peer.port()) +
                       ": read failed: connection closed by server");
}

TEST_F(ConnectionTest, StartTlsUpgradesAPlainConnection) {
  auto server_tls = ca_.server_context("DNS:localhost,IP:127.0.0.1");
  ScriptedPeer peer(io_, *server_tls);
  Endpoint endpoint = endpoint_for(peer);
  endpoint.security = Security::starttls;
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await peer.accept();
        co_await peer.send("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n");
        co_await peer.expect_line("A1 STARTTLS");
        co_await peer.send("A1 OK Begin TLS negotiation now.\r\n");
        co_await peer.handshake();
        co_await peer.expect_line("A2 CAPABILITY");
        co_await peer.send("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA2 OK done\r\n");
        co_await peer.read_line();
      },
      [&]() -> asio::awaitable<void> {
        auto connection = co_await Connection::open(io_.get_executor(), endpoint);
        EXPECT_FALSE(connection->is_tls());
        EXPECT_THAT(co_await connection->read_line(), HasSubstr("STARTTLS] ready"));
        co_await connection->write("A1 STARTTLS\r\n");
        EXPECT_EQ(co_await connection->read_line(), "A1 OK Begin TLS negotiation now.");
        co_await connection->start_tls();
        EXPECT_TRUE(connection->is_tls());
        co_await connection->write("A2 CAPABILITY\r\n");
        EXPECT_EQ(co_await connection->read_line(), "* CAPABILITY IMAP4rev1 AUTH=PLAIN");
        EXPECT_EQ(co_await connection->read_line(), "A2 OK done");
        co_await connection->close();
      });
}

TEST_F(ConnectionTest, StartTlsRefusesDataInjectedBeforeTheHandshake) {
  auto server_tls = ca_.server_context("IP:127.0.0.1");
  ScriptedPeer peer(io_, *server_tls);
  Endpoint endpoint = endpoint_for(peer);
  endpoint.security = Security::starttls;
  std::string error;
  run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await peer.accept();
        co_await peer.expect_line("A1 STARTTLS");
        co_await peer.send("A1 OK Begin TLS\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] x\r\n");
        co_await peer.read_line();
      },
      [&]() -> asio::awaitable<void> {
        auto connection = co_await Connection::open(io_.get_executor(), endpoint);
        co_await connection->write("A1 STARTTLS\r\n");
        EXPECT_EQ(co_await connection->read_line(), "A1 OK Begin TLS");
        try {
          co_await connection->start_tls();
        } catch (const NetError& e) {
          error = e.what();
        }
        EXPECT_FALSE(connection->is_tls());
        co_await connection->close();
      });
  EXPECT_THAT(error, HasSubstr("server sent data after accepting STARTTLS"));
}

}  // namespace
}  // namespace contribd::net
