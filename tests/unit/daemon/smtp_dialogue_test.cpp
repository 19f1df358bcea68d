#include "daemon/smtp/smtp_dialogue.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <deque>
#include <string>
#include <vector>

namespace contribd::smtp {
namespace {

using boost::asio::awaitable;

// A server that answers each command with the next scripted reply and records what it was sent.
// Each scripted reply may hold several lines separated by '\n'; the first is the greeting.
class ScriptedServer final : public net::Connection {
 public:
  ScriptedServer(net::Security security, std::vector<std::string> replies)
      : replies_(replies.begin(), replies.end()) {
    endpoint_.host = "smtp.test";
    endpoint_.port = security == net::Security::tls ? 465 : 587;
    endpoint_.security = security;
    tls_ = security == net::Security::tls;
  }

  awaitable<void> start_tls() override {
    tls_ = true;
    transcript_ += "[TLS handshake]\r\n";
    co_return;
  }
  awaitable<std::string> read_line(std::size_t) override {
    if (lines_.empty()) {
      if (replies_.empty()) throw net::NetError("smtp.test: connection closed by peer");
      std::string reply = replies_.front();
      replies_.pop_front();
      for (std::size_t start = 0; start <= reply.size();) {
        const auto end = std::min(reply.find('\n', start), reply.size());
        lines_.push_back(reply.substr(start, end - start));
        start = end + 1;
      }
    }
    std::string line = lines_.front();
    lines_.pop_front();
    co_return line;
  }
  awaitable<void> read_exact(std::size_t, std::string&) override {
    throw net::NetError("smtp.test: not used by SMTP");
    co_return;
  }
  awaitable<void> write(std::string_view bytes) override {
    transcript_ += bytes;
    co_return;
  }
  awaitable<void> close() override { co_return; }
  bool is_tls() const override { return tls_; }
  const net::Endpoint& endpoint() const override { return endpoint_; }

  const std::string& transcript() const { return transcript_; }
  void pretend_plaintext() { tls_ = false; }

 private:
  net::Endpoint endpoint_;
  std::deque<std::string> replies_;
  std::deque<std::string> lines_;
  std::string transcript_;
  bool tls_ = false;
};

void run(awaitable<void> task) {
  boost::asio::io_context io;
  std::exception_ptr failure;
  boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr e) { failure = e; });
  io.run();
  if (failure) std::rethrow_exception(failure);
}

const Credentials kAccount{"tsbfgqit4n", "secret"};
const std::string kMessage = "Subject: x\r\n\r\nline\r\n.hidden dot\r\n";

// AUTH PLAIN of "\0tsbfgqit4n\0secret".
const std::string kPlain = "AHRzYmZncWl0NG4Ac2VjcmV0";

SmtpError deliver_expecting_error(ScriptedServer& server, std::string_view recipient,
                                  const Credentials& credentials = kAccount) {
  try {
    run(deliver(server, credentials, "contribd.test", {"", recipient}, kMessage));
  } catch (const SmtpError& e) {
    return e;
  }
  ADD_FAILURE() << "delivered without an error";
  return SmtpError("", 0, false);
}

TEST(SmtpDialogue, StartTlsThenAuthPlainThenMessage) {
  ScriptedServer server(
      net::Security::starttls,
      {"220 smtp.test ESMTP", "250-smtp.test\n250-PIPELINING\n250 STARTTLS",
       "220 2.0.0 Ready to start TLS", "250-smtp.test\n250 AUTH PLAIN LOGIN",
       "235 2.7.0 Authentication successful", "250 2.1.0 Ok", "250 2.1.5 Ok",
       "354 End data with <CR><LF>.<CR><LF>", "250 2.0.0 Ok: queued as 1A2B", "221 2.0.0 Bye"});
  run(deliver(server, kAccount, "contribd.test", {"", "alice@member.test"}, kMessage));
  EXPECT_EQ(server.transcript(),
            "EHLO contribd.test\r\n"
            "STARTTLS\r\n"
            "[TLS handshake]\r\n"
            "EHLO contribd.test\r\n"
            "AUTH PLAIN " +
                kPlain +
                "\r\n"
                "MAIL FROM:<>\r\n"
                "RCPT TO:<alice@member.test>\r\n"
                "DATA\r\n"
                "Subject: x\r\n\r\nline\r\n..hidden dot\r\n.\r\n"
                "QUIT\r\n");
}

TEST(SmtpDialogue, ImplicitTlsWithAuthLogin) {
  ScriptedServer server(
      net::Security::tls,
      {"220 smtp.test", "250-smtp.test\n250 AUTH=LOGIN", "334 VXNlcm5hbWU6", "334 UGFzc3dvcmQ6",
       "235 ok", "250 ok", "250 ok", "354 go", "250 queued", "221 bye"});
  run(deliver(server, kAccount, "contribd.test", {"bounces@itu.int", "alice@member.test"},
              kMessage));
  const std::string& sent = server.transcript();
  EXPECT_EQ(sent.find("STARTTLS"), std::string::npos);
  EXPECT_NE(sent.find("AUTH LOGIN\r\ndHNiZmdxaXQ0bg==\r\nc2VjcmV0\r\nMAIL FROM:<bounces@itu.int>"),
            std::string::npos)
      << sent;
}

TEST(SmtpDialogue, NoAuthWithoutUsername) {
  ScriptedServer server(net::Security::tls, {"220 smtp.test", "250 smtp.test", "250 ok", "250 ok",
                                             "354 go", "250 queued", "221 bye"});
  run(deliver(server, {}, "contribd.test", {"", "alice@member.test"}, kMessage));
  EXPECT_EQ(server.transcript().find("AUTH"), std::string::npos);
}

TEST(SmtpDialogue, StartTlsNotOfferedIsRefusedBeforeCredentials) {
  ScriptedServer server(net::Security::starttls,
                        {"220 smtp.test", "250-smtp.test\n250 AUTH PLAIN", "221 bye"});
  const SmtpError error = deliver_expecting_error(server, "alice@member.test");
  EXPECT_FALSE(error.permanent());
  EXPECT_NE(std::string(error.what()).find("smtp.test:587: STARTTLS: the server does not offer"),
            std::string::npos)
      << error.what();
  EXPECT_EQ(server.transcript(), "EHLO contribd.test\r\nQUIT\r\n");
}

TEST(SmtpDialogue, CredentialsNeverGoOverPlaintext) {
  ScriptedServer server(net::Security::tls,
                        {"220 smtp.test", "250-smtp.test\n250 AUTH PLAIN", "221 bye"});
  server.pretend_plaintext();
  const SmtpError error = deliver_expecting_error(server, "alice@member.test");
  EXPECT_NE(std::string(error.what()).find("without TLS"), std::string::npos) << error.what();
  EXPECT_EQ(server.transcript().find(kPlain), std::string::npos);
}

TEST(SmtpDialogue, RecipientRefusedIsPermanentAndNamesTheStage) {
  ScriptedServer server(
      net::Security::tls,
      {"220 smtp.test", "250 smtp.test", "250 ok",
       "550-5.1.1 <bob@x>: Recipient address rejected:\n550 5.1.1 no such user", "221 bye"});
  const SmtpError error = deliver_expecting_error(server, "bob@x", {});
  EXPECT_TRUE(error.permanent());
  EXPECT_EQ(error.code(), 550);
  EXPECT_STREQ(error.what(),
               "smtp.test:465: RCPT TO:<bob@x>: 550 5.1.1 <bob@x>: Recipient address rejected: "
               "5.1.1 no such user");
  EXPECT_EQ(server.transcript().find("DATA"), std::string::npos);
  EXPECT_TRUE(server.transcript().ends_with("QUIT\r\n"));
}

TEST(SmtpDialogue, TemporaryFailureAfterDataIsTemporary) {
  ScriptedServer server(net::Security::tls, {"220 smtp.test", "250 smtp.test", "250 ok", "250 ok",
                                             "354 go", "451 4.3.0 Try again later", "221 bye"});
  const SmtpError error = deliver_expecting_error(server, "alice@member.test", {});
  EXPECT_FALSE(error.permanent());
  EXPECT_EQ(error.code(), 451);
  EXPECT_NE(std::string(error.what()).find("end of DATA: 451 4.3.0 Try again later"),
            std::string::npos);
}

// A server that refuses us as a whole says nothing about the reply: it stays queued.
TEST(SmtpDialogue, RejectedGreetingIsNotFinalForTheReply) {
  ScriptedServer server(net::Security::tls, {"554 5.7.1 no service for you", "221 bye"});
  const SmtpError error = deliver_expecting_error(server, "alice@member.test");
  EXPECT_FALSE(error.permanent());
  EXPECT_EQ(error.code(), 554);
  EXPECT_NE(std::string(error.what()).find("greeting: 554"), std::string::npos);
}

TEST(SmtpDialogue, FailedAuthDoesNotLeakTheSecret) {
  ScriptedServer server(net::Security::tls, {"220 smtp.test", "250-smtp.test\n250 AUTH PLAIN",
                                             "535 5.7.8 authentication failed", "221 bye"});
  const SmtpError error = deliver_expecting_error(server, "alice@member.test");
  EXPECT_EQ(error.code(), 535);
  EXPECT_FALSE(error.permanent()) << "a wrong password must not fail every queued reply";
  EXPECT_NE(std::string(error.what()).find("AUTH PLAIN: 535"), std::string::npos);
  EXPECT_EQ(std::string(error.what()).find(kPlain), std::string::npos);
}

TEST(SmtpDialogue, RecipientWithCrlfIsRefusedBeforeAnythingIsSent) {
  ScriptedServer server(net::Security::tls, {"220 smtp.test"});
  const SmtpError error = deliver_expecting_error(server, "bob@x\r\nRCPT TO:<evil@x>");
  EXPECT_TRUE(error.permanent());
  EXPECT_EQ(error.code(), 0);
  EXPECT_EQ(server.transcript(), "");
  EXPECT_EQ(std::string(error.what()).find('\n'), std::string::npos);
}

TEST(SmtpDialogue, LostConnectionAfterAcceptanceIsNotAFailure) {
  // The server accepted the message and vanished before answering QUIT: it must not be resent.
  ScriptedServer server(net::Security::tls, {"220 smtp.test", "250 smtp.test", "250 ok", "250 ok",
                                             "354 go", "250 queued"});
  EXPECT_NO_THROW(run(deliver(server, {}, "contribd.test", {"", "alice@member.test"}, kMessage)));
}

TEST(SmtpDialogue, LostConnectionBeforeAcceptanceIsANetworkError) {
  ScriptedServer server(net::Security::tls, {"220 smtp.test", "250 smtp.test", "250 ok"});
  EXPECT_THROW(run(deliver(server, {}, "contribd.test", {"", "alice@member.test"}, kMessage)),
               net::NetError);
}

TEST(SmtpDialogue, GarbledReplyIsATemporaryError) {
  ScriptedServer server(net::Security::tls, {"220 smtp.test", "hello?", "221 bye"});
  const SmtpError error = deliver_expecting_error(server, "alice@member.test");
  EXPECT_FALSE(error.permanent());
  EXPECT_EQ(error.code(), 0);
  EXPECT_EQ(std::string(error.what()).rfind("smtp.test:465: malformed SMTP reply", 0), 0u)
      << error.what();
}

}  // namespace
}  // namespace contribd::smtp
