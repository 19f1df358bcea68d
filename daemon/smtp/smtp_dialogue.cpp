#include "daemon/smtp/smtp_dialogue.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cctype>
#include <exception>
#include <optional>
#include <vector>

#include "daemon/auth/sasl.h"
#include "daemon/auth/token_source.h"
#include "daemon/smtp/smtp_wire.h"
#include "parsers/base64.h"
#include "parsers/printable.h"
#include "parsers/smtp_reply.h"

namespace contribd::smtp {
namespace {

// RFC 5321 allows 512 bytes per reply line; servers that exceed it a little still work.
constexpr std::size_t kMaxReplyLine = 4096;
constexpr std::size_t kMaxReplyLines = 100;

using boost::asio::awaitable;

// Reply parsing knows nothing of the connection; its errors get the server's name here. They
// are temporary: a server that speaks garbage may be fixed later, and the message itself is
// not at fault.
SmtpError unreadable_reply(const std::string& server, std::string_view why) {
  return SmtpError(fmt::format("{}: {}", server, why), 0, false);
}

class Dialogue {
 public:
  explicit Dialogue(net::Connection& connection)
      : connection_(connection),
        server_(fmt::format("{}:{}", connection.endpoint().host, connection.endpoint().port)) {}

  awaitable<Extensions> open(const Credentials& credentials, std::string_view helo_name) {
    expect(co_await read_reply(), "greeting", 2);
    Extensions extensions = co_await hello(helo_name);
    if (connection_.endpoint().security == net::Security::starttls && !connection_.is_tls()) {
      extensions = co_await start_tls(helo_name, extensions);
    }
    if (!credentials.username.empty()) co_await authenticate(credentials, extensions);
    co_return extensions;
  }

  awaitable<void> transaction(Envelope envelope, std::string_view message,
                              TransactionOptions options) {
    std::vector<Step> steps;
    if (options.reset_first) steps.push_back({"RSET", "RSET", 2});
    const std::string mail_from = fmt::format("MAIL FROM:<{}>", envelope.from);
    const std::string rcpt_to = fmt::format("RCPT TO:<{}>", envelope.recipient);
    steps.push_back({mail_from, mail_from, 2});
    steps.push_back({rcpt_to, rcpt_to, 2});
    steps.push_back({"DATA", "DATA", 3});
    if (options.pipelining) {
      co_await pipelined(steps, options.reset_first);
    } else {
      for (const Step& step : steps) {
        const bool probe = options.reset_first && &step == &steps.front();
        co_await one_step(step, probe);
      }
    }
    co_await connection_.write(dot_stuff(message));
    expect(co_await read_reply(), "end of DATA", 2);
  }

  // After a refused MAIL or RCPT the server keeps the half-built transaction; RSET clears it so
  // that the next message can use the same session (RFC 5321 section 4.1.1.5).
  awaitable<void> reset() { co_await command("RSET", "RSET", 2); }

  // QUIT is a courtesy: the outcome is already decided, so its failures do not matter.
  awaitable<void> quit_quietly() {
    try {
      co_await connection_.write("QUIT\r\n");
      co_await read_reply();
    } catch (const std::exception&) {
    }
  }

 private:
  SmtpError refusal(std::string_view stage, std::string_view why, bool permanent) const {
    return SmtpError(fmt::format("{}: {}: {}", server_, stage, why), 0, permanent);
  }

  struct Step {
    std::string line;
    std::string stage;  // names the step in errors
    int expected_kind;
  };

  // The session is gone when the RSET that opens a transaction cannot be written or read, or
  // is answered 421: nothing of the message was accepted, so it may go on a new session.
  SessionGone gone(std::string_view why) const {
    return SessionGone(fmt::format("{}: the session was closed ({})", server_, why));
  }

  // One command and its reply; `probe` marks the RSET of a session that sat idle.
  awaitable<void> one_step(const Step& step, bool probe) {
    Reply reply;
    std::string lost;
    try {
      co_await connection_.write(step.line + "\r\n");
      reply = co_await read_reply();
    } catch (const net::NetError& failure) {
      if (!probe) throw;
      lost = failure.what();
    }
    if (!lost.empty()) throw gone(lost);
    if (probe && reply.code == 421) throw gone(reply.text());
    expect(reply, step.stage, step.expected_kind);
  }

  // RFC 2920: the commands in one write, then every reply read in order, even after a refusal,
  // so that the session stays in step; the first refusal is the one reported. A DATA answered
  // 354 after a refusal (a server that should have refused it) gets an empty message's end.
  awaitable<void> pipelined(const std::vector<Step>& steps, bool probe) {
    std::string batch;
    for (const Step& step : steps) batch += step.line + "\r\n";
    std::string lost;
    try {
      co_await connection_.write(batch);
    } catch (const net::NetError& failure) {
      if (!probe) throw;
      lost = failure.what();
    }
    if (!lost.empty()) throw gone(lost);
    std::optional<SmtpError> first_refusal;
    bool data_open = false;
    for (const Step& step : steps) {
      const bool first = &step == &steps.front();
      Reply reply;
      try {
        reply = co_await read_reply();
      } catch (const net::NetError& failure) {
        if (!(probe && first)) throw;
        lost = failure.what();
      }
      if (!lost.empty()) throw gone(lost);
      if (probe && first && reply.code == 421) throw gone(reply.text());
      if (reply.kind() == step.expected_kind) {
        data_open = step.expected_kind == 3;
        continue;
      }
      if (!first_refusal) first_refusal = refusal_of(reply, step.stage);
    }
    if (!first_refusal) co_return;
    if (data_open) {
      co_await connection_.write(".\r\n");
      co_await read_reply();
    }
    throw *first_refusal;
  }

  awaitable<Reply> read_reply() {
    std::vector<std::string> lines;
    do {
      if (lines.size() == kMaxReplyLines) {
        throw refusal("reading a reply", "more than 100 lines in one reply", false);
      }
      lines.push_back(co_await connection_.read_line(kMaxReplyLine));
    } while (!is_last_line(lines.back()));
    ReplyResult parsed = parse_reply(lines);
    if (!parsed.reply) throw unreadable_reply(server_, parsed.error);
    co_return std::move(*parsed.reply);
  }

  bool is_last_line(const std::string& line) const {
    const ReplyLineResult parsed = parse_reply_line(line);
    if (!parsed.line) throw unreadable_reply(server_, parsed.error);
    return parsed.line->last;
  }

  // `stage` names the step in errors; it differs from the command where that holds secrets.
  awaitable<Reply> command(std::string_view line, std::string_view stage, int expected_kind) {
    co_await connection_.write(fmt::format("{}\r\n", line));
    Reply reply = co_await read_reply();
    expect(reply, stage, expected_kind);
    co_return reply;
  }

  void expect(const Reply& reply, std::string_view stage, int expected_kind) const {
    if (reply.kind() == expected_kind) return;
    throw refusal_of(reply, stage);
  }

  SmtpError refusal_of(const Reply& reply, std::string_view stage) const {
    const std::string what = fmt::format("{}: {}: {}", server_, stage, reply.text());
    // A reply of an unexpected but not failing kind is a server out of step: temporary. A 5xx
    // is final only when it concerns this message (its sender, recipient or content); a 5xx
    // to EHLO, STARTTLS or AUTH is the server's or our configuration's problem, and marking
    // every queued reply as failed for it would lose them all.
    const bool about_this_message = stage.starts_with("MAIL FROM") ||
                                    stage.starts_with("RCPT TO") || stage == "DATA" ||
                                    stage == "end of DATA";
    return SmtpError(what, reply.code, reply.kind() == 5 && about_this_message,
                     enhanced_status(reply));
  }

  awaitable<Extensions> hello(std::string_view helo_name) {
    co_return parse_ehlo(co_await command(fmt::format("EHLO {}", helo_name), "EHLO", 2));
  }

  awaitable<Extensions> start_tls(std::string_view helo_name, const Extensions& offered) {
    // Going on in plaintext would send the credentials and the reply in the clear.
    if (!offered.has("STARTTLS")) {
      throw refusal("STARTTLS", "the server does not offer STARTTLS; not continuing without TLS",
                    false);
    }
    co_await command("STARTTLS", "STARTTLS", 2);
    co_await connection_.start_tls();
    // RFC 3207 section 4.2: what was learnt before the handshake is forgotten.
    co_return co_await hello(helo_name);
  }

  awaitable<void> authenticate(const Credentials& credentials, const Extensions& offered) {
    if (!connection_.is_tls()) {
      throw refusal("AUTH", "refusing to send credentials over a connection without TLS", false);
    }
    if (credentials.uses_token()) {
      co_await authenticate_with_token(credentials, offered);
      co_return;
    }
    if (offered.auth_mechanisms.count("PLAIN") > 0) {
      co_await command(
          "AUTH PLAIN " + auth_plain_response(credentials.username, credentials.password),
          "AUTH PLAIN", 2);
    } else if (offered.auth_mechanisms.count("LOGIN") > 0) {
      co_await command("AUTH LOGIN", "AUTH LOGIN", 3);
      co_await command(encode_base64(credentials.username), "AUTH LOGIN username", 3);
      co_await command(encode_base64(credentials.password), "AUTH LOGIN password", 2);
    } else {
      throw refusal("AUTH", "the server offers neither AUTH PLAIN nor AUTH LOGIN", false);
    }
  }

  // A refused token is tried once more, freshly fetched (the cached one may have been revoked);
  // a second refusal is final. A 4xx is not a refusal of the token and is not retried here.
  awaitable<void> authenticate_with_token(const Credentials& credentials,
                                          const Extensions& offered) {
    const std::string mechanism(auth::sasl_name(credentials.method));
    const std::string stage = "AUTH " + mechanism;
    if (offered.auth_mechanisms.count(mechanism) == 0) {
      throw refusal("AUTH", fmt::format("the server does not offer AUTH {}", mechanism), false);
    }
    Reply reply;
    std::string server_error;
    for (int round = 0; round < 2; ++round) {
      std::string token;
      try {
        token = co_await credentials.tokens->access_token(round > 0);
      } catch (const auth::TokenError& e) {
        throw SmtpError(fmt::format("{}: {}", server_, e.what()), 0, false);
      }
      const net::Endpoint& where = connection_.endpoint();
      const std::string initial = auth::initial_response(credentials.method, credentials.username,
                                                         token, where.host, where.port);
      reply = co_await sasl_token_exchange(credentials.method, stage, initial, server_error);
      if (reply.kind() == 2) co_return;
      if (reply.kind() != 5) break;
      if (round == 0) {
        spdlog::info("SMTP {}: {} as {} refused ({}); trying once more with a fresh token", server_,
                     stage, printable(credentials.username),
                     server_error.empty() ? reply.text() : server_error);
      }
    }
    throw SmtpError(fmt::format("{}: {} as {} refused{}: {}{}{}{}", server_, stage,
                                printable(credentials.username),
                                reply.kind() == 5 ? ", also with a fresh token" : "", reply.text(),
                                server_error.empty() ? "" : " (", server_error,
                                server_error.empty() ? "" : ")"),
                    reply.code, false);
  }

  // "AUTH MECHANISM initial-response"; a 334 is the server's error challenge, answered as the
  // mechanism wants so that the server sends its final reply, which is returned.
  awaitable<Reply> sasl_token_exchange(auth::Method method, std::string_view stage,
                                       const std::string& initial, std::string& server_error) {
    co_await connection_.write(fmt::format("{} {}\r\n", stage, initial));
    Reply reply = co_await read_reply();
    if (reply.kind() == 3) {
      server_error =
          auth::describe(auth::parse_server_error(reply.lines.empty() ? "" : reply.lines[0]));
      co_await connection_.write(auth::error_challenge_reply(method) + "\r\n");
      reply = co_await read_reply();
      if (reply.kind() == 3) {  // a second challenge: cancel (RFC 4954 section 4)
        co_await connection_.write("*\r\n");
        reply = co_await read_reply();
      }
    }
    co_return reply;
  }

  net::Connection& connection_;
  std::string server_;
};

}  // namespace

void check_envelope(const net::Endpoint& endpoint, Envelope envelope) {
  const auto refuse = [&](std::string_view stage, std::string_view why) {
    return SmtpError(fmt::format("{}:{}: {}: {}", endpoint.host, endpoint.port, stage, why), 0,
                     true);
  };
  // An address with CR/LF would smuggle SMTP commands into the dialogue.
  if (envelope.recipient.empty() || !is_safe_path(envelope.recipient)) {
    throw refuse("RCPT TO", fmt::format("\"{}\" cannot be sent as a recipient",
                                        printable(envelope.recipient)));
  }
  if (!is_safe_path(envelope.from)) {
    throw refuse("MAIL FROM",
                 fmt::format("\"{}\" cannot be sent as a sender", printable(envelope.from)));
  }
}

awaitable<Extensions> open_session(net::Connection& connection, const Credentials& credentials,
                                   std::string_view helo_name) {
  if (!is_valid_helo_name(helo_name)) {
    throw SmtpError(
        fmt::format("{}:{}: EHLO: \"{}\" is not a host name", connection.endpoint().host,
                    connection.endpoint().port, printable(helo_name)),
        0, false);
  }
  Dialogue dialogue(connection);
  co_return co_await dialogue.open(credentials, helo_name);
}

awaitable<void> send_transaction(net::Connection& connection, Envelope envelope,
                                 std::string_view message, TransactionOptions options) {
  check_envelope(connection.endpoint(), envelope);
  Dialogue dialogue(connection);
  std::exception_ptr refusal;
  try {
    co_await dialogue.transaction(envelope, message, options);
  } catch (const SmtpError&) {
    refusal = std::current_exception();
  }
  if (refusal) {
    // A refusal before the end of DATA leaves a transaction open on the server.
    co_await dialogue.reset();
    std::rethrow_exception(refusal);
  }
}

awaitable<void> quit(net::Connection& connection) {
  Dialogue dialogue(connection);
  co_await dialogue.quit_quietly();
}

}  // namespace contribd::smtp
