#include <gtest/gtest.h>

#include <string>

#include "daemon/policy/reply_decision.h"

namespace contribd::policy {
namespace {

// An ordinary contribution from a participant: it gets a reply.
ReplyInput participant_mail() {
  ReplyInput in;
  in.headers = {{"From", "Alice <alice@member.test>"},
                {"To", "tsbfgqit4n@itu.int"},
                {"Subject", "Contribution on QKD"}};
  in.from_address = "alice@member.test";
  in.return_path = "alice@member.test";
  in.secretariat_address = "tsbfgqit4n@itu.int";
  in.loop_marker = "tsbfgqit4n@itu.int";
  in.replies_last_hour = 0;
  in.max_per_hour = 10;
  return in;
}

ReplyInput with_header(std::string name, std::string value) {
  ReplyInput in = participant_mail();
  in.headers.emplace_back(std::move(name), std::move(value));
  return in;
}

std::string rule_for(const ReplyInput& in) {
  const ReplyDecision decision = decide_reply(in);
  EXPECT_EQ(decision.send, decision.rule.empty()) << decision.reason;
  return decision.send ? "send" : decision.rule;
}

TEST(ReplyDecision, ParticipantGetsAReplyAtFrom) {
  const ReplyDecision decision = decide_reply(participant_mail());
  EXPECT_TRUE(decision.send);
  EXPECT_EQ(decision.recipient, "alice@member.test");
  EXPECT_EQ(decision.rule, "");
}

TEST(ReplyDecision, ReplyToWinsOverFrom) {
  ReplyInput in = participant_mail();
  in.reply_to_address = "delegation@member.test";
  EXPECT_EQ(decide_reply(in).recipient, "delegation@member.test");
}

TEST(ReplyDecision, AutoSubmittedOtherThanNo) {
  EXPECT_EQ(rule_for(with_header("Auto-Submitted", "auto-replied")), "auto-submitted");
  EXPECT_EQ(rule_for(with_header("auto-submitted", "auto-generated; owner=x")), "auto-submitted");
  EXPECT_EQ(rule_for(with_header("Auto-Submitted", " No (a person wrote this)")), "send");
}

TEST(ReplyDecision, PrecedenceBulkJunkList) {
  EXPECT_EQ(rule_for(with_header("Precedence", "bulk")), "precedence");
  EXPECT_EQ(rule_for(with_header("Precedence", "JUNK")), "precedence");
  EXPECT_EQ(rule_for(with_header("PRECEDENCE", " list")), "precedence");
  EXPECT_EQ(rule_for(with_header("Precedence", "first-class")), "send");
}

TEST(ReplyDecision, AnyListHeader) {
  EXPECT_EQ(rule_for(with_header("List-Id", "<qit4n.lists.itu.int>")), "list-header");
  EXPECT_EQ(rule_for(with_header("List-Unsubscribe", "<mailto:x@y>")), "list-header");
  EXPECT_EQ(rule_for(with_header("list-post", "<mailto:l@y>")), "list-header");
  EXPECT_EQ(rule_for(with_header("Listing", "not a list header")), "send");
}

TEST(ReplyDecision, EmptyReturnPath) {
  ReplyInput in = participant_mail();
  in.return_path = "";
  EXPECT_EQ(rule_for(in), "empty-return-path");
  in.return_path = std::nullopt;
  EXPECT_EQ(rule_for(in), "send");
}

TEST(ReplyDecision, RobotSenders) {
  for (const char* robot :
       {"MAILER-DAEMON@mx.member.test", "postmaster@member.test", "no-reply@member.test",
        "NoReply@member.test", "do-not-reply@member.test", "owner-qit4n@lists.test",
        "qit4n-request@lists.test", "LISTSERV@lists.test", "majordomo@lists.test"}) {
    ReplyInput in = participant_mail();
    in.from_address = robot;
    EXPECT_EQ(rule_for(in), "robot-sender") << robot;
  }
  ReplyInput bounce_path = participant_mail();
  bounce_path.return_path = "mailer-daemon@mx.member.test";
  EXPECT_EQ(rule_for(bounce_path), "robot-sender");
  ReplyInput robot_reply_to = participant_mail();
  robot_reply_to.reply_to_address = "noreply@member.test";
  EXPECT_EQ(rule_for(robot_reply_to), "robot-sender");
  ReplyInput person = participant_mail();
  person.from_address = "replyhandler@member.test";  // not a robot name
  EXPECT_EQ(rule_for(person), "send");
}

TEST(ReplyDecision, OwnAddressAsFromOrRecipient) {
  ReplyInput from_us = participant_mail();
  from_us.from_address = "TSBFGQIT4N@itu.int";
  EXPECT_EQ(rule_for(from_us), "own-address");
  ReplyInput reply_to_us = participant_mail();
  reply_to_us.reply_to_address = "tsbfgqit4n@itu.int";
  EXPECT_EQ(rule_for(reply_to_us), "own-address");
}

TEST(ReplyDecision, LoopMarker) {
  EXPECT_EQ(rule_for(with_header("X-Contribd-Loop", "tsbfgqit4n@itu.int")), "loop-marker");
  EXPECT_EQ(rule_for(with_header("X-Loop", " tsbfgqit4n@itu.int ")), "loop-marker");
  EXPECT_EQ(rule_for(with_header("X-Loop", "someone-else@lists.test")), "send");
}

TEST(ReplyDecision, AutoResponseSuppress) {
  EXPECT_EQ(rule_for(with_header("X-Auto-Response-Suppress", "All")), "auto-response-suppress");
  EXPECT_EQ(rule_for(with_header("X-Auto-Response-Suppress", "OOF, autoreply")),
            "auto-response-suppress");
  EXPECT_EQ(rule_for(with_header("X-Auto-Response-Suppress", "RN,DR")), "auto-response-suppress");
  EXPECT_EQ(rule_for(with_header("X-Auto-Response-Suppress", "OOF, RN, NRN")), "send");
}

TEST(ReplyDecision, MultipartReport) {
  ReplyInput in = participant_mail();
  in.is_report = true;
  EXPECT_EQ(rule_for(in), "report");
}

TEST(ReplyDecision, RateLimitCountsRepliesToTheRecipient) {
  ReplyInput in = participant_mail();
  in.replies_last_hour = 9;
  EXPECT_EQ(rule_for(in), "send");
  in.replies_last_hour = 10;
  const ReplyDecision decision = decide_reply(in);
  EXPECT_EQ(decision.rule, "rate-limit");
  EXPECT_EQ(decision.recipient, "alice@member.test");
  in.max_per_hour = 0;  // no limit
  EXPECT_EQ(rule_for(in), "send");
}

TEST(ReplyDecision, UnusableRecipientGetsNoReply) {
  for (const char* bad :
       {"", "alice@member.test\r\nBcc: evil@x", "alice smith@member.test", "alice@member@test",
        "alice", "@member.test", "alice@", "alice\x01@member.test", "<alice@member.test>",
        "a,b@member.test", "\xd0\xb0@member.test"}) {
    ReplyInput in = participant_mail();
    in.from_address = bad;
    EXPECT_EQ(rule_for(in), "no-recipient") << bad;
  }
  // A broken Reply-To is not silently replaced by From.
  ReplyInput in = participant_mail();
  in.reply_to_address = "x@y\nBcc: evil@x";
  EXPECT_EQ(rule_for(in), "no-recipient");
}

TEST(ReplyDecision, ReasonIsPrintableEvenForHostileValues) {
  const ReplyDecision decision = decide_reply(with_header("Precedence", "bulk\r\nInjected: 1"));
  EXPECT_EQ(decision.rule, "precedence");
  EXPECT_EQ(decision.reason.find('\n'), std::string::npos);
  EXPECT_NE(decision.reason.find("\\x0d\\x0a"), std::string::npos) << decision.reason;
}

TEST(IsPlainAddress, AcceptsOrdinaryAddresses) {
  EXPECT_TRUE(is_plain_address("alice@member.test"));
  EXPECT_TRUE(is_plain_address("first.last+qit4n@sub.member.test"));
  EXPECT_FALSE(is_plain_address("alice@member.test "));
}

}  // namespace
}  // namespace contribd::policy
