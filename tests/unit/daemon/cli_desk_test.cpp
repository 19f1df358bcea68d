// The desk commands on a real register in a temporary folder: each refusal is exit 1 with one
// line and leaves the register as it was; each change is recorded once, with who made it.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "daemon/cli/desk.h"
#include "tests/unit/storage/register_fixture.h"

namespace contribd::storage::testing {
namespace {

const std::string kOldReply =
    "From: ITU-T FG-QIT4N secretariat <tsbfgqit4n@itu.test>\r\n"
    "To: alice@member.test\r\n"
    "Subject: Received: Contribution on QKD networks [QIT4N-I-001]\r\n"
    "Message-ID: <first-copy@itu.test>\r\n"
    "Auto-Submitted: auto-replied\r\n"
    "\r\n"
    "Your contribution was registered as QIT4N-I-001.\r\n";

Config desk_config() {
  Config config;
  config.source = "/etc/contribd/contribd.toml";
  config.smtp.from = "tsbfgqit4n@itu.test";
  Meeting meeting;
  meeting.id = "QIT4N-05";
  meeting.deadline = utc(2020, 7, 22, 21, 59);
  meeting.closes = utc(2020, 8, 7, 21, 59);
  meeting.document_prefix = "QIT4N-I-";
  config.meetings.push_back(meeting);
  return config;
}

HeldMessage list_copy(std::string message_id) {
  HeldMessage held;
  held.message_id = std::move(message_id);
  held.raw_sha256 = "cd01";
  held.found = MessageKey{"INBOX", 1000, 4};
  held.review_folder = "Review";
  held.received_at = utc(2020, 7, 20, 9);
  held.sender = "carol@member.test";
  held.subject = "[qit4n] Agenda";
  held.cause = HoldCause::robot;
  held.reason = "list-header: List-Id <qit4n.lists.member.test>";
  held.files = {{"carol.docx", 3000}};
  held.held_at = utc(2020, 7, 20, 9, 1);
  return held;
}

// The header field's value in a stored reply, or "" when the field is missing.
std::string header_value(const std::string& message, const std::string& name) {
  const std::string head = "\r\n" + message.substr(0, message.find("\r\n\r\n") + 2);
  const std::string field = "\r\n" + name + ": ";
  const std::size_t at = head.find(field);
  if (at == std::string::npos) return "";
  const std::size_t value = at + field.size();
  return head.substr(value, head.find("\r\n", value) - value);
}

class DeskTest : public RegisterTest {
 protected:
  std::int64_t hold(const HeldMessage& held) {
    auto transaction = reg_.begin();
    const std::int64_t id = reg_.hold(held);
    transaction.commit();
    return id;
  }

  void queue(const DocumentNumber& number, ReplyState state, std::string message = kOldReply) {
    auto transaction = reg_.begin();
    reg_.queue_reply(std::nullopt, number, ReplyKind::ack, state,
                     state == ReplyState::withheld ? "rate-limit: 1 per sender per hour" : "",
                     "alice@member.test", "", std::move(message), utc(2020, 7, 20, 8));
    transaction.commit();
  }

  std::size_t events_of(const DocumentNumber& number, const std::string& action) {
    std::size_t count = 0;
    for (const Event& event : reg_.events(number)) count += event.action == action ? 1 : 0;
    return count;
  }

  void expect_refused(const desk::Outcome& outcome, const std::string& words) {
    EXPECT_EQ(outcome.exit_code, 1) << outcome.line;
    EXPECT_EQ(outcome.line.find('\n'), std::string::npos) << outcome.line;
    EXPECT_NE(outcome.line.find(words), std::string::npos) << outcome.line;
  }

  const Config config_ = desk_config();
  const UtcTime now_ = utc(2020, 7, 21, 10);
};

TEST_F(DeskTest, AcceptTakesTheMessageIdWithOrWithoutAngleBrackets) {
  hold(list_copy("<agenda@lists.member.test>"));
  const auto outcome =
      desk::accept(reg_, config_, "agenda@lists.member.test", std::nullopt, "jane", now_);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.line;
  EXPECT_NE(outcome.line.find("<agenda@lists.member.test>"), std::string::npos) << outcome.line;
  const auto accepted = reg_.find_held("<agenda@lists.member.test>");
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->state, HeldState::accepted);
  EXPECT_EQ(accepted->accepted_by, "jane");
  EXPECT_EQ(accepted->accepted_at, now_);
  EXPECT_FALSE(accepted->accept_meeting);
}

TEST_F(DeskTest, AcceptOfAnUnknownMessageIdIsRefused) {
  hold(list_copy("<agenda@lists.member.test>"));
  expect_refused(desk::accept(reg_, config_, "<nobody@nowhere.test>", std::nullopt, "jane", now_),
                 "<nobody@nowhere.test>: not a held message");
  EXPECT_EQ(reg_.held_messages(HeldState::held).size(), 1u);
}

TEST_F(DeskTest, AcceptOfAnAcceptedMessageIsRefusedAndKeepsTheFirstDecision) {
  hold(list_copy("<agenda@lists.member.test>"));
  ASSERT_EQ(desk::accept(reg_, config_, "<agenda@lists.member.test>", std::string("QIT4N-05"),
                         "jane", now_)
                .exit_code,
            0);
  expect_refused(desk::accept(reg_, config_, "<agenda@lists.member.test>", std::nullopt, "joe",
                              utc(2020, 7, 21, 11)),
                 "(it was accepted)");
  const auto accepted = reg_.find_held("agenda@lists.member.test");
  EXPECT_EQ(accepted->accepted_by, "jane");
  EXPECT_EQ(accepted->accept_meeting, "QIT4N-05");
  EXPECT_EQ(accepted->accepted_at, now_);
}

TEST_F(DeskTest, AcceptOfARegisteredMessageIsRefused) {
  const auto id = hold(list_copy("<agenda@lists.member.test>"));
  ASSERT_EQ(
      desk::accept(reg_, config_, "agenda@lists.member.test", std::nullopt, "jane", now_).exit_code,
      0);
  auto transaction = reg_.begin();
  reg_.mark_held_registered(id, docnum("QIT4N-I-002"));
  transaction.commit();
  expect_refused(
      desk::accept(reg_, config_, "agenda@lists.member.test", std::nullopt, "jane", now_),
      "(it was registered)");
}

TEST_F(DeskTest, AcceptForAnUnknownMeetingIsRefusedAndTheMessageStaysHeld) {
  hold(list_copy("<agenda@lists.member.test>"));
  const auto outcome = desk::accept(reg_, config_, "agenda@lists.member.test",
                                    std::string("QIT4N-99"), "jane", now_);
  expect_refused(outcome, "QIT4N-99: no such meeting");
  EXPECT_NE(outcome.line.find("/etc/contribd/contribd.toml"), std::string::npos) << outcome.line;
  EXPECT_EQ(reg_.find_held("agenda@lists.member.test")->state, HeldState::held);
}

TEST_F(DeskTest, WithdrawRecordsWhoAndWhyOnce) {
  const auto number = register_one("alice@member.test", {"aa"});
  const auto outcome = desk::withdraw(reg_, number, "sent to the wrong group", "jane", now_);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.line;
  EXPECT_NE(outcome.line.find("withdrew QIT4N-I-001"), std::string::npos) << outcome.line;
  const auto withdrawn = reg_.find(number);
  ASSERT_TRUE(withdrawn->withdrawn);
  EXPECT_EQ(withdrawn->withdrawn->reason, "sent to the wrong group");
  EXPECT_EQ(withdrawn->withdrawn->at, now_);
  const auto history = reg_.events(number);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].actor, "jane");
  EXPECT_EQ(history[0].action, "withdrawn");
  EXPECT_EQ(history[0].detail, "sent to the wrong group");
}

TEST_F(DeskTest, SecondWithdrawalIsRefusedAndTheFirstStands) {
  const auto number = register_one("alice@member.test", {"aa"});
  ASSERT_EQ(desk::withdraw(reg_, number, "first", "jane", now_).exit_code, 0);
  expect_refused(desk::withdraw(reg_, number, "second", "joe", utc(2020, 7, 22)),
                 "QIT4N-I-001 was withdrawn already, on 2020-07-21T10:00:00Z");
  EXPECT_EQ(reg_.find(number)->withdrawn->reason, "first");
  EXPECT_EQ(reg_.find(number)->withdrawn->at, now_);
  EXPECT_EQ(events_of(number, "withdrawn"), 1u);
}

TEST_F(DeskTest, WithdrawOfAnUnknownNumberIsRefused) {
  register_one("alice@member.test", {"aa"});
  expect_refused(desk::withdraw(reg_, docnum("QIT4N-I-999"), "", "jane", now_),
                 "QIT4N-I-999: no such contribution in ");
  EXPECT_FALSE(reg_.find(docnum("QIT4N-I-001"))->withdrawn);
  EXPECT_TRUE(reg_.events(docnum("QIT4N-I-999")).empty());
}

TEST_F(DeskTest, ReleaseQueuesTheWithheldReplyAndIsRefusedTheSecondTime) {
  const auto number = register_one("alice@member.test", {"aa"});
  queue(number, ReplyState::withheld);
  const auto outcome = desk::release(reg_, number, "jane", now_);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.line;
  EXPECT_NE(outcome.line.find("alice@member.test"), std::string::npos) << outcome.line;
  expect_refused(desk::release(reg_, number, "jane", now_), "QIT4N-I-001: no reply is withheld");
  const auto due = reg_.due_replies(now_);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].message, kOldReply);
  EXPECT_EQ(events_of(number, "reply released"), 1u);
}

TEST_F(DeskTest, ReleaseIsRefusedWhenTheReplyWasNotWithheld) {
  const auto number = register_one("alice@member.test", {"aa"});
  queue(number, ReplyState::sent);
  expect_refused(desk::release(reg_, number, "jane", now_), "QIT4N-I-001: no reply is withheld");
  EXPECT_TRUE(reg_.due_replies(now_).empty());
}

TEST_F(DeskTest, ReleaseIsRefusedWithoutAnyReply) {
  const auto number = register_one("alice@member.test", {"aa"});
  expect_refused(desk::release(reg_, number, "jane", now_), "QIT4N-I-001: no reply is withheld");
}

TEST_F(DeskTest, ReleaseOfAnUnknownNumberIsRefused) {
  const auto number = register_one("alice@member.test", {"aa"});
  queue(number, ReplyState::withheld);
  expect_refused(desk::release(reg_, docnum("QIT4N-I-404"), "jane", now_),
                 "QIT4N-I-404: no such contribution in ");
  EXPECT_TRUE(reg_.due_replies(now_).empty());
}

TEST_F(DeskTest, ResendQueuesASecondCopyWithAFreshMessageId) {
  const auto number = register_one("alice@member.test", {"aa"});
  queue(number, ReplyState::sent);
  const auto outcome = desk::resend(reg_, config_, number, "jane", now_);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.line;
  const auto due = reg_.due_replies(now_);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].recipient, "alice@member.test");
  const std::string fresh = header_value(due[0].message, "Message-ID");
  EXPECT_NE(fresh, "");
  EXPECT_NE(fresh, "<first-copy@itu.test>");
  EXPECT_TRUE(fresh.ends_with("@itu.test>")) << fresh;
  EXPECT_EQ(header_value(due[0].message, "Subject"),
            "Received: Contribution on QKD networks [QIT4N-I-001]");
  // The first reply is left as it was: sent.
  const auto replies = reg_.find(number)->replies;
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0].state, ReplyState::sent);
  EXPECT_EQ(replies[1].state, ReplyState::queued);
  EXPECT_EQ(events_of(number, "reply resent"), 1u);
}

TEST_F(DeskTest, ResendOfAnUnknownNumberIsRefused) {
  expect_refused(desk::resend(reg_, config_, docnum("QIT4N-I-404"), "jane", now_),
                 "QIT4N-I-404: no such contribution in ");
  EXPECT_TRUE(reg_.due_replies(now_).empty());
}

TEST_F(DeskTest, ResendWithoutAReplyIsRefused) {
  const auto number = register_one("alice@member.test", {"aa"});
  expect_refused(desk::resend(reg_, config_, number, "jane", now_),
                 "QIT4N-I-001: there is no reply to send");
  EXPECT_TRUE(reg_.due_replies(now_).empty());
}

TEST_F(DeskTest, RefusalsChangeNothingInTheHistory) {
  const auto number = register_one("alice@member.test", {"aa"});
  desk::release(reg_, number, "jane", now_);
  desk::resend(reg_, config_, number, "jane", now_);
  desk::withdraw(reg_, docnum("QIT4N-I-404"), "", "jane", now_);
  EXPECT_TRUE(reg_.events(number).empty());
}

TEST(TypedDocumentNumber, AWellFormedNumberIsTakenAsTyped) {
  const auto typed = desk::typed_document_number("withdraw", "QIT4N-I-007");
  ASSERT_TRUE(std::holds_alternative<DocumentNumber>(typed));
  EXPECT_EQ(std::get<DocumentNumber>(typed), docnum("QIT4N-I-007"));
}

TEST(TypedDocumentNumber, AMalformedNumberIsRefusedNamingItAndTheForm) {
  const auto typed = desk::typed_document_number("withdraw", "QIT4N-I-7");
  ASSERT_TRUE(std::holds_alternative<desk::Outcome>(typed));
  const auto& refusal = std::get<desk::Outcome>(typed);
  EXPECT_EQ(refusal.exit_code, 1);
  EXPECT_EQ(refusal.line,
            "contribd withdraw: \"QIT4N-I-7\" is not a document number (a prefix and at least "
            "three digits, such as QIT4N-I-007)");
  for (const char* text : {"", "QIT4N-I-", "QIT4N-I-12", "abc", "QIT4N-I-007 Rev.1"}) {
    const auto refused = desk::typed_document_number("show", text);
    ASSERT_TRUE(std::holds_alternative<desk::Outcome>(refused)) << text;
    const auto& line = std::get<desk::Outcome>(refused).line;
    EXPECT_TRUE(line.starts_with(fmt::format("contribd show: \"{}\" is not", text))) << line;
  }
}

TEST(TypedDocumentNumber, TheRefusalKeepsControlCharactersOffTheTerminal) {
  const auto typed = desk::typed_document_number("release", "\x1b[2J12");
  ASSERT_TRUE(std::holds_alternative<desk::Outcome>(typed));
  const auto& line = std::get<desk::Outcome>(typed).line;
  EXPECT_EQ(line.find('\x1b'), std::string::npos) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
}

}  // namespace
}  // namespace contribd::storage::testing
