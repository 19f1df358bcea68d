// The outbox's SMTP session (smtp::Session: open_session() then send_transaction() per message,
// the path production takes) against a scripted server: STARTTLS and AUTH, PIPELINING on and
// off, refusals attributed to their command, a session found gone at its RSET.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "daemon/smtp/smtp_session.h"

namespace contribd::smtp {
namespace {

using boost::asio::awaitable;

// What a scripted server was sent, and the replies it has left. Each scripted reply may hold
// several lines separated by '\n'; the first is the greeting. When the replies run out the
// server has closed the connection.
struct Script {
  Script(net::Security security, std::vector<std::string> replies)
      : replies(replies.begin(), replies.end()) {
    endpoint.host = "smtp.test";
    endpoint.port = security == net::Security::tls ? 465 : 587;
    endpoint.security = security;
    tls = security == net::Security::tls;
  }

  std::string transcript() const {
    std::string all;
    for (const std::string& write : writes) all += write;
    return all;
  }

  net::Endpoint endpoint;
  std::deque<std::string> replies;
  std::deque<std::string> lines;
  std::vector<std::string> writes;  // one entry per write: pipelined commands share one
  bool tls = false;
};

class ScriptedServer final : public net::Connection {
 public:
  explicit ScriptedServer(Script& script) : script_(script) {}

  awaitable<void> start_tls() override {
    script_.tls = true;
    script_.writes.push_back("[TLS handshake]\r\n");
    co_return;
  }
  awaitable<std::string> read_line(std::size_t) override {
    if (script_.lines.empty()) {
      if (script_.replies.empty()) throw net::NetError("smtp.test: connection closed by peer");
      std::string reply = script_.replies.front();
      script_.replies.pop_front();
      for (std::size_t start = 0; start <= reply.size();) {
        const auto end = std::min(reply.find('\n', start), reply.size());
        script_.lines.push_back(reply.substr(start, end - start));
        start = end + 1;
      }
    }
    std::string line = script_.lines.front();
    script_.lines.pop_front();
    co_return line;
  }
  awaitable<void> read_exact(std::size_t, std::string&) override {
    throw net::NetError("smtp.test: not used by SMTP");
    co_return;
  }
  awaitable<void> write(std::string_view bytes) override {
    script_.writes.emplace_back(bytes);
    co_return;
  }
  awaitable<void> close() override { co_return; }
  bool is_tls() const override { return script_.tls; }
  const net::Endpoint& endpoint() const override { return script_.endpoint; }

 private:
  Script& script_;
};

template <typename T>
T run(awaitable<T> task) {
  boost::asio::io_context io;
  std::exception_ptr failure;
  std::optional<T> result;
  boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
    failure = e;
    result = std::move(value);
  });
  io.run();
  if (failure) std::rethrow_exception(failure);
  return std::move(*result);
}

void run(awaitable<void> task) {
  boost::asio::io_context io;
  std::exception_ptr failure;
  boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr e) { failure = e; });
  io.run();
  if (failure) std::rethrow_exception(failure);
}

const Credentials kAccount{"tsbfgqit4n", "secret"};
const std::string kSecretariat = "tsbfgqit4n@itu.test";
const std::string kMessage = "Subject: x\r\n\r\nline\r\n.hidden dot\r\n";
const std::string kPayload = "Subject: x\r\n\r\nline\r\n..hidden dot\r\n.\r\n";

// AUTH PLAIN of "\0tsbfgqit4n\0secret".
const std::string kPlain = "AHRzYmZncWl0NG4Ac2VjcmV0";

std::unique_ptr<Session> start(Script& script, const Credentials& credentials = kAccount,
                               bool pipelining = true) {
  return run(Session::start(std::make_unique<ScriptedServer>(script), credentials, "contribd.test",
                            pipelining));
}

// Opens the session, sends one message and closes the session, as a round of the outbox does.
void send_one(Script& script, std::string_view recipient, const Credentials& credentials = kAccount,
              bool pipelining = true, std::string_view envelope_from = kSecretariat) {
  auto session = start(script, credentials, pipelining);
  std::exception_ptr failure;
  try {
    run(session->send(envelope_from, recipient, kMessage));
  } catch (...) {
    failure = std::current_exception();
  }
  run(session->close());
  if (failure) std::rethrow_exception(failure);
}

SmtpError error_of(Script& script, std::string_view recipient,
                   const Credentials& credentials = kAccount, bool pipelining = true) {
  try {
    send_one(script, recipient, credentials, pipelining);
  } catch (const SmtpError& e) {
    return e;
  }
  ADD_FAILURE() << "sent without an error";
  return SmtpError("", 0, false);
}

const std::string kStartTlsEhlo = "250-smtp.test\n250-PIPELINING\n250 STARTTLS";
const std::string kAuthEhlo = "250-smtp.test\n250-PIPELINING\n250 AUTH PLAIN LOGIN";

TEST(SmtpSession, StartTlsThenAuthPlainThenPipelinedMessage) {
  Script script(
      net::Security::starttls,
      {"220 smtp.test ESMTP", kStartTlsEhlo, "220 2.0.0 Ready to start TLS", kAuthEhlo,
       "235 2.7.0 Authentication successful", "250 2.1.0 Ok", "250 2.1.5 Ok",
       "354 End data with <CR><LF>.<CR><LF>", "250 2.0.0 Ok: queued as 1A2B", "221 2.0.0 Bye"});
  send_one(script, "alice@member.test");
  EXPECT_EQ(script.writes, (std::vector<std::string>{
                               "EHLO contribd.test\r\n", "STARTTLS\r\n", "[TLS handshake]\r\n",
                               "EHLO contribd.test\r\n", "AUTH PLAIN " + kPlain + "\r\n",
                               "MAIL FROM:<tsbfgqit4n@itu.test>\r\n"
                               "RCPT TO:<alice@member.test>\r\n"
                               "DATA\r\n",
                               kPayload, "QUIT\r\n"}));
}

// PIPELINING learnt before STARTTLS is forgotten (RFC 3207): offered only in the clear, it is
// not used.
TEST(SmtpSession, WithoutPipeliningEachCommandWaitsForItsReply) {
  Script script(
      net::Security::starttls,
      {"220 smtp.test ESMTP", kStartTlsEhlo, "220 2.0.0 Ready", "250-smtp.test\n250 AUTH PLAIN",
       "235 2.7.0 ok", "250 2.1.0 Ok", "250 2.1.5 Ok", "354 go", "250 2.0.0 queued", "221 bye"});
  send_one(script, "alice@member.test");
  const std::vector<std::string> tail(script.writes.end() - 5, script.writes.end());
  EXPECT_EQ(tail, (std::vector<std::string>{"MAIL FROM:<tsbfgqit4n@itu.test>\r\n",
                                            "RCPT TO:<alice@member.test>\r\n", "DATA\r\n", kPayload,
                                            "QUIT\r\n"}));
}

TEST(SmtpSession, PipeliningTurnedOffIsNotUsedEvenWhenOffered) {
  Script script(net::Security::tls, {"220 smtp.test", kAuthEhlo, "235 ok", "250 ok", "250 ok",
                                     "354 go", "250 queued", "221 bye"});
  send_one(script, "alice@member.test", kAccount, /*pipelining=*/false);
  EXPECT_EQ(script.writes[2], "MAIL FROM:<tsbfgqit4n@itu.test>\r\n");
  EXPECT_EQ(script.writes[3], "RCPT TO:<alice@member.test>\r\n");
}

TEST(SmtpSession, ImplicitTlsWithAuthLoginAndTheNullSender) {
  Script script(net::Security::tls, {"220 smtp.test", "250-smtp.test\n250 AUTH=LOGIN",
                                     "334 VXNlcm5hbWU6", "334 UGFzc3dvcmQ6", "235 ok", "250 ok",
                                     "250 ok", "354 go", "250 queued", "221 bye"});
  send_one(script, "alice@member.test", kAccount, true, "");
  const std::string sent = script.transcript();
  EXPECT_EQ(sent.find("STARTTLS"), std::string::npos);
  EXPECT_NE(sent.find("AUTH LOGIN\r\ndHNiZmdxaXQ0bg==\r\nc2VjcmV0\r\nMAIL FROM:<>\r\n"),
            std::string::npos)
      << sent;
}

TEST(SmtpSession, NoAuthWithoutUsername) {
  Script script(net::Security::tls, {"220 smtp.test", "250 smtp.test", "250 ok", "250 ok", "354 go",
                                     "250 queued", "221 bye"});
  send_one(script, "alice@member.test", {});
  EXPECT_EQ(script.transcript().find("AUTH"), std::string::npos);
}

TEST(SmtpSession, StartTlsNotOfferedIsRefusedBeforeCredentials) {
  Script script(net::Security::starttls,
                {"220 smtp.test", "250-smtp.test\n250 AUTH PLAIN", "221 bye"});
  const SmtpError error = error_of(script, "alice@member.test");
  EXPECT_FALSE(error.permanent());
  EXPECT_NE(std::string(error.what()).find("smtp.test:587: STARTTLS: the server does not offer"),
            std::string::npos)
      << error.what();
  EXPECT_EQ(script.transcript(), "EHLO contribd.test\r\nQUIT\r\n");
}

TEST(SmtpSession, CredentialsNeverGoOverPlaintext) {
  Script script(net::Security::tls, {"220 smtp.test", "250-smtp.test\n250 AUTH PLAIN", "221 bye"});
  script.tls = false;
  const SmtpError error = error_of(script, "alice@member.test");
  EXPECT_NE(std::string(error.what()).find("without TLS"), std::string::npos) << error.what();
  EXPECT_EQ(script.transcript().find(kPlain), std::string::npos);
}

TEST(SmtpSession, RecipientRefusedIsPermanentAndNamesTheStage) {
  Script script(net::Security::tls,
                {"220 smtp.test", "250 smtp.test", "250 ok",
                 "550-5.1.1 <bob@x>: Recipient address rejected:\n550 5.1.1 no such user",
                 "250 reset", "221 bye"});
  const SmtpError error = error_of(script, "bob@x", {});
  EXPECT_TRUE(error.permanent());
  EXPECT_EQ(error.code(), 550);
  EXPECT_EQ(error.enhanced(), "5.1.1");
  EXPECT_STREQ(error.what(),
               "smtp.test:465: RCPT TO:<bob@x>: 550 5.1.1 <bob@x>: Recipient address rejected: "
               "5.1.1 no such user");
  EXPECT_EQ(script.transcript().find("DATA"), std::string::npos);
  EXPECT_TRUE(script.transcript().ends_with("RSET\r\nQUIT\r\n"));
}

// RFC 2920: every reply of the group is read, in order; the first refusal is the one reported,
// not the DATA refusal that follows from it, and the session stays in step for the next message.
TEST(SmtpSession, PipelinedTemporaryRefusalOfRcptIsAttributedToRcpt) {
  Script script(
      net::Security::tls,
      {"220 smtp.test", kAuthEhlo, "235 ok", "250 2.1.0 Ok",
       "450 4.2.1 <bob@member.test>: mailbox busy", "554 5.5.1 Error: no valid recipients",
       "250 2.0.0 reset", "250 2.1.0 Ok", "250 2.1.5 Ok", "354 go", "250 queued", "221 bye"});
  auto session = start(script);
  try {
    run(session->send(kSecretariat, "bob@member.test", kMessage));
    ADD_FAILURE() << "sent without an error";
  } catch (const SmtpError& error) {
    EXPECT_FALSE(error.permanent());
    EXPECT_EQ(error.code(), 450);
    EXPECT_EQ(error.enhanced(), "4.2.1");
    EXPECT_STREQ(error.what(),
                 "smtp.test:465: RCPT TO:<bob@member.test>: 450 4.2.1 <bob@member.test>: mailbox "
                 "busy");
  }
  EXPECT_EQ(script.writes.back(), "RSET\r\n");
  run(session->send(kSecretariat, "carol@member.test", kMessage));
  run(session->close());
  EXPECT_EQ(script.writes.back(), "QUIT\r\n");
  EXPECT_EQ(script.writes[script.writes.size() - 3],
            "MAIL FROM:<tsbfgqit4n@itu.test>\r\nRCPT TO:<carol@member.test>\r\nDATA\r\n");
  EXPECT_TRUE(script.replies.empty());
}

// Microsoft 365 refuses an envelope sender that is not the signed-in mailbox.
TEST(SmtpSession, PipelinedRefusalOfMailFromIsAttributedToMailFrom) {
  Script script(net::Security::tls,
                {"220 smtp.test", kAuthEhlo, "235 ok",
                 "550 5.7.60 SMTP; Client does not have permissions to send as this sender",
                 "503 5.5.1 Error: need MAIL command", "503 5.5.1 Error: need RCPT command",
                 "250 reset", "221 bye"});
  const SmtpError error = error_of(script, "alice@member.test");
  EXPECT_TRUE(error.permanent());
  EXPECT_EQ(error.code(), 550);
  EXPECT_EQ(error.enhanced(), "5.7.60");
  EXPECT_NE(std::string(error.what()).find("MAIL FROM:<tsbfgqit4n@itu.test>: 550 5.7.60"),
            std::string::npos)
      << error.what();
  EXPECT_TRUE(script.replies.empty()) << "every reply of the group read";
}

// A server that answers DATA with 354 although no recipient was accepted gets the end of an
// empty message, not ours.
TEST(SmtpSession, DataOpenedAfterARefusalIsEndedEmpty) {
  Script script(net::Security::tls,
                {"220 smtp.test", kAuthEhlo, "235 ok", "250 ok", "550 5.1.1 no such user", "354 go",
                 "554 5.5.1 no valid recipients", "250 reset", "221 bye"});
  const SmtpError error = error_of(script, "nobody@member.test");
  EXPECT_EQ(error.code(), 550);
  EXPECT_EQ(script.transcript().find("Subject: x"), std::string::npos);
  EXPECT_NE(script.transcript().find("DATA\r\n.\r\nRSET\r\n"), std::string::npos)
      << script.transcript();
}

// Microsoft 365's throttling answer is temporary and carries its enhanced code, by which the
// outbox tells it from a refusal of one message.
TEST(SmtpSession, ThrottlingAnswerIsTemporary) {
  Script script(net::Security::tls,
                {"220 smtp.test", kAuthEhlo, "235 ok",
                 "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded [Hostname=X]",
                 "503 5.5.1 need MAIL", "503 5.5.1 need RCPT", "250 reset", "221 bye"});
  const SmtpError error = error_of(script, "alice@member.test");
  EXPECT_FALSE(error.permanent());
  EXPECT_EQ(error.code(), 432);
  EXPECT_EQ(error.enhanced(), "4.3.2");
}

TEST(SmtpSession, TemporaryFailureAfterDataIsTemporary) {
  Script script(net::Security::tls, {"220 smtp.test", "250 smtp.test", "250 ok", "250 ok", "354 go",
                                     "451 4.3.0 Try again later", "250 reset", "221 bye"});
  const SmtpError error = error_of(script, "alice@member.test", {});
  EXPECT_FALSE(error.permanent());
  EXPECT_EQ(error.code(), 451);
  EXPECT_NE(std::string(error.what()).find("end of DATA: 451 4.3.0 Try again later"),
            std::string::npos);
}

// A server that refuses us as a whole says nothing about the reply: it stays queued.
TEST(SmtpSession, RejectedGreetingIsNotFinalForTheReply) {
  Script script(net::Security::tls, {"554 5.7.1 no service for you", "221 bye"});
  const SmtpError error = error_of(script, "alice@member.test");
  EXPECT_FALSE(error.permanent());
  EXPECT_EQ(error.code(), 554);
  EXPECT_NE(std::string(error.what()).find("greeting: 554"), std::string::npos);
}

TEST(SmtpSession, FailedAuthDoesNotLeakTheSecret) {
  Script script(net::Security::tls, {"220 smtp.test", "250-smtp.test\n250 AUTH PLAIN",
                                     "535 5.7.8 authentication failed", "221 bye"});
  const SmtpError error = error_of(script, "alice@member.test");
  EXPECT_EQ(error.code(), 535);
  EXPECT_FALSE(error.permanent()) << "a wrong password must not fail every queued reply";
  EXPECT_NE(std::string(error.what()).find("AUTH PLAIN: 535"), std::string::npos);
  EXPECT_EQ(std::string(error.what()).find(kPlain), std::string::npos);
}

TEST(SmtpSession, RecipientWithCrlfIsRefusedBeforeAnythingOfTheMessageIsSent) {
  Script script(net::Security::tls, {"220 smtp.test", "250 smtp.test", "221 bye"});
  const SmtpError error = error_of(script, "bob@x\r\nRCPT TO:<evil@x>", {});
  EXPECT_TRUE(error.permanent());
  EXPECT_EQ(error.code(), 0);
  EXPECT_EQ(script.transcript(), "EHLO contribd.test\r\nQUIT\r\n");
  EXPECT_EQ(std::string(error.what()).find('\n'), std::string::npos);
}

TEST(SmtpSession, LostConnectionAfterAcceptanceIsNotAFailure) {
  // The server accepted the message and vanished before answering QUIT: it must not be resent.
  Script script(net::Security::tls,
                {"220 smtp.test", "250 smtp.test", "250 ok", "250 ok", "354 go", "250 queued"});
  EXPECT_NO_THROW(send_one(script, "alice@member.test", {}));
}

TEST(SmtpSession, LostConnectionBeforeAcceptanceIsANetworkError) {
  Script script(net::Security::tls, {"220 smtp.test", "250 smtp.test", "250 ok"});
  EXPECT_THROW(send_one(script, "alice@member.test", {}, false), net::NetError);
}

TEST(SmtpSession, GarbledReplyIsATemporaryError) {
  Script script(net::Security::tls, {"220 smtp.test", "hello?", "221 bye"});
  const SmtpError error = error_of(script, "alice@member.test");
  EXPECT_FALSE(error.permanent());
  EXPECT_EQ(error.code(), 0);
  EXPECT_EQ(std::string(error.what()).rfind("smtp.test:465: malformed SMTP reply", 0), 0u)
      << error.what();
}

// A session kept between rounds is checked with an RSET that travels with the message's
// commands; a session found gone there is SessionGone, so that the outbox opens a new one.
TEST(SmtpSession, KeptSessionIsCheckedWithAnRsetInTheSameWrite) {
  Script script(net::Security::tls, {"220 smtp.test", kAuthEhlo, "235 ok", "250 reset", "250 ok",
                                     "250 ok", "354 go", "250 queued", "221 bye"});
  auto session = start(script);
  run(session->send(kSecretariat, "alice@member.test", kMessage, /*reset_first=*/true));
  ASSERT_EQ(script.writes.size(), 4u);  // EHLO, AUTH, the group, the message
  EXPECT_EQ(script.writes[2],
            "RSET\r\nMAIL FROM:<tsbfgqit4n@itu.test>\r\nRCPT TO:<alice@member.test>\r\nDATA\r\n");
  run(session->close());
}

TEST(SmtpSession, KeptSessionClosedByTheServerIsSessionGone) {
  for (const bool pipelining : {true, false}) {
    Script closed(net::Security::tls, {"220 smtp.test", kAuthEhlo, "235 ok"});
    auto session = start(closed, kAccount, pipelining);
    EXPECT_THROW(run(session->send(kSecretariat, "alice@member.test", kMessage, true)), SessionGone)
        << "pipelining " << pipelining;
    Script timed_out(net::Security::tls, {"220 smtp.test", kAuthEhlo, "235 ok",
                                          "421 4.4.2 smtp.test Error: timeout exceeded"});
    session = start(timed_out, kAccount, pipelining);
    EXPECT_THROW(run(session->send(kSecretariat, "alice@member.test", kMessage, true)), SessionGone)
        << "pipelining " << pipelining;
  }
}

// Without the RSET the same loss is an ordinary network error: something of the message may
// have been accepted, so nothing is resent at once.
TEST(SmtpSession, LossAfterTheRsetIsANetworkErrorNotSessionGone) {
  Script script(net::Security::tls, {"220 smtp.test", kAuthEhlo, "235 ok", "250 reset", "250 ok"});
  auto session = start(script);
  try {
    run(session->send(kSecretariat, "alice@member.test", kMessage, true));
    ADD_FAILURE() << "sent";
  } catch (const SessionGone&) {
    ADD_FAILURE() << "the RSET was answered: the session was not gone at the start";
  } catch (const net::NetError&) {
  }
}

}  // namespace
}  // namespace contribd::smtp
