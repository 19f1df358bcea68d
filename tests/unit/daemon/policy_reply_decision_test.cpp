#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>
#include <vector>

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
  EXPECT_EQ(decision.send, decision.rule == ReplyRule::none) << decision.reason;
  return decision.send ? "send" : std::string(to_string(decision.rule));
}

TEST(ReplyDecision, ParticipantGetsAReplyAtFrom) {
  const ReplyDecision decision = decide_reply(participant_mail());
  EXPECT_TRUE(decision.send);
  EXPECT_EQ(decision.recipient, "alice@member.test");
  EXPECT_EQ(decision.rule, ReplyRule::none);
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
  EXPECT_EQ(decision.rule, ReplyRule::rate_limit);
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
  EXPECT_EQ(decision.rule, ReplyRule::precedence);
  EXPECT_EQ(decision.reason.find('\n'), std::string::npos);
  EXPECT_NE(decision.reason.find("\\x0d\\x0a"), std::string::npos) << decision.reason;
}

TEST(ReplyDecision, UnauthenticatedSenderIsWithheldUnlessTrustSaysReply) {
  ReplyInput in = participant_mail();
  EXPECT_EQ(rule_for(in), "send");  // nullopt: no [trust], replies go out as before
  in.sender_authenticated = true;
  EXPECT_EQ(rule_for(in), "send");
  in.sender_authenticated = false;
  in.authentication_reason = "dmarc=fail for member.test";
  const ReplyDecision decision = decide_reply(in);
  EXPECT_FALSE(decision.send);
  EXPECT_EQ(decision.rule, ReplyRule::unauthenticated);
  EXPECT_EQ(decision.recipient, "alice@member.test");  // known, for `contribd release`
  EXPECT_NE(decision.reason.find("alice@member.test"), std::string::npos) << decision.reason;
  EXPECT_NE(decision.reason.find("dmarc=fail for member.test"), std::string::npos)
      << decision.reason;
  in.reply_unauthenticated = true;  // [trust] unauthenticated = "reply"
  EXPECT_EQ(rule_for(in), "send");
}

TEST(ReplyDecision, UnauthenticatedReasonIsPrintable) {
  ReplyInput in = participant_mail();
  in.sender_authenticated = false;
  in.authentication_reason = "spf=fail\r\nBcc: evil@x";
  const ReplyDecision decision = decide_reply(in);
  EXPECT_EQ(decision.rule, ReplyRule::unauthenticated);
  EXPECT_EQ(decision.reason.find('\n'), std::string::npos) << decision.reason;
}

TEST(ReplyDecision, GlobalRateLimitCountsRepliesToAnyone) {
  ReplyInput in = participant_mail();
  in.all_replies_last_hour = 1000;
  EXPECT_EQ(rule_for(in), "send");  // max_all_per_hour 0: no global limit
  in.max_all_per_hour = 50;
  in.all_replies_last_hour = 49;
  EXPECT_EQ(rule_for(in), "send");
  in.all_replies_last_hour = 50;
  const ReplyDecision decision = decide_reply(in);
  EXPECT_EQ(decision.rule, ReplyRule::global_rate_limit);
  EXPECT_EQ(decision.recipient, "alice@member.test");
  EXPECT_NE(decision.reason.find("50"), std::string::npos) << decision.reason;
  in.max_all_per_hour = -1;
  EXPECT_EQ(rule_for(in), "send");
}

TEST(ReplyDecision, SenderLimitIsNamedBeforeTheGlobalOne) {
  ReplyInput in = participant_mail();
  in.replies_last_hour = 10;
  in.max_all_per_hour = 50;
  in.all_replies_last_hour = 50;
  EXPECT_EQ(rule_for(in), "rate-limit");
  in.replies_last_hour = 0;
  EXPECT_EQ(rule_for(in), "global-rate-limit");
}

TEST(ReplyDecision, UnauthenticatedIsNamedBeforeTheRateLimits) {
  ReplyInput in = participant_mail();
  in.sender_authenticated = false;
  in.replies_last_hour = 10;
  in.max_all_per_hour = 1;
  in.all_replies_last_hour = 1;
  EXPECT_EQ(rule_for(in), "unauthenticated");
}

std::string hold_rule(const ReplyInput& in) {
  const auto hold = robot_or_list(in);
  if (!hold) return "person";
  EXPECT_FALSE(hold->reason.empty()) << to_string(hold->rule);
  return std::string(to_string(hold->rule));
}

// The names are what the log and the register show: each rule has its own, none is empty.
TEST(ReplyRule, EveryRuleHasItsOwnStableName) {
  std::set<std::string_view> names;
  for (int value = static_cast<int>(ReplyRule::auto_submitted);
       value <= static_cast<int>(ReplyRule::robot); ++value) {
    const std::string_view name = to_string(static_cast<ReplyRule>(value));
    EXPECT_FALSE(name.empty()) << value;
    EXPECT_NE(name, "unknown") << value;
    EXPECT_TRUE(names.insert(name).second) << name;
  }
  EXPECT_EQ(names.size(), 14u);
  EXPECT_EQ(to_string(ReplyRule::none), "");
  EXPECT_EQ(to_string(ReplyRule::auto_response_suppress), "auto-response-suppress");
  EXPECT_EQ(to_string(ReplyRule::global_rate_limit), "global-rate-limit");
}

TEST(RobotOrList, PersonsMessageIsNotHeld) {
  EXPECT_EQ(hold_rule(participant_mail()), "person");
  EXPECT_EQ(hold_rule(with_header("Auto-Submitted", "no")), "person");
  EXPECT_EQ(hold_rule(with_header("Precedence", "first-class")), "person");
}

TEST(RobotOrList, AutoSubmittedOtherThanNo) {
  EXPECT_EQ(hold_rule(with_header("Auto-Submitted", "auto-replied")), "auto-submitted");
  EXPECT_EQ(hold_rule(with_header("AUTO-SUBMITTED", "auto-generated")), "auto-submitted");
  EXPECT_EQ(hold_rule(with_header("Auto-Submitted", "no; comment")), "person");
}

TEST(RobotOrList, PrecedenceBulkJunkListAutoReply) {
  for (const char* value : {"bulk", "Junk", "list", "auto_reply"}) {
    EXPECT_EQ(hold_rule(with_header("Precedence", value)), "precedence") << value;
  }
}

TEST(RobotOrList, ListHeaders) {
  EXPECT_EQ(hold_rule(with_header("List-Id", "<qit4n.lists.itu.test>")), "list-header");
  EXPECT_EQ(hold_rule(with_header("List-Post", "<mailto:qit4n@lists.itu.test>")), "list-header");
}

TEST(RobotOrList, MultipartReportAndEmptyReturnPath) {
  ReplyInput report = participant_mail();
  report.is_report = true;
  EXPECT_EQ(hold_rule(report), "report");
  ReplyInput bounce = participant_mail();
  bounce.return_path = "";
  EXPECT_EQ(hold_rule(bounce), "empty-return-path");
  bounce.return_path = std::nullopt;  // no Return-Path at all is not a bounce
  EXPECT_EQ(hold_rule(bounce), "person");
}

TEST(RobotOrList, MailSystemOrNoReplySender) {
  for (const char* robot :
       {"MAILER-DAEMON@mx.member.test", "postmaster@member.test", "no-reply@member.test",
        "noreply@member.test", "do-not-reply@member.test", "owner-qit4n@lists.test",
        "qit4n-request@lists.test"}) {
    ReplyInput from = participant_mail();
    from.from_address = robot;
    EXPECT_EQ(hold_rule(from), "robot-sender") << robot;
    ReplyInput return_path = participant_mail();
    return_path.return_path = robot;
    EXPECT_EQ(hold_rule(return_path), "robot-sender") << "Return-Path " << robot;
  }
}

TEST(RobotOrList, PersonWithANoReplyReplyToIsNotHeld) {
  ReplyInput in = participant_mail();
  in.reply_to_address = "no-reply@member.test";
  EXPECT_EQ(hold_rule(in), "person");
  EXPECT_EQ(rule_for(in), "robot-sender");  // registered, but its reply is withheld
}

TEST(RobotOrList, ReplyRulesThatAreNotAboutRobotsDoNotHold) {
  // These withhold the reply of a registered contribution; they never hold the message.
  EXPECT_EQ(hold_rule(with_header("X-Auto-Response-Suppress", "All")), "person");
  EXPECT_EQ(hold_rule(with_header("X-Contribd-Loop", "tsbfgqit4n@itu.int")), "person");
  ReplyInput own = participant_mail();
  own.from_address = "tsbfgqit4n@itu.int";
  EXPECT_EQ(hold_rule(own), "person");
  ReplyInput unauthenticated = participant_mail();
  unauthenticated.sender_authenticated = false;
  unauthenticated.replies_last_hour = 100;
  EXPECT_EQ(hold_rule(unauthenticated), "person");
}

// The intake asks robot_or_list() first and then only decide_reply_to_person(): for every
// person's message that must come to what the whole decide_reply() says.
TEST(DecideReplyToPerson, DecidesWhatDecideReplyDecidesForAPersonsMessage) {
  std::vector<ReplyInput> people = {
      participant_mail(), with_header("X-Auto-Response-Suppress", "OOF, AutoReply"),
      with_header("X-Contribd-Loop", "tsbfgqit4n@itu.int"),
      with_header("X-Loop", "TSBFGQIT4N@itu.int"), with_header("Auto-Submitted", "no")};
  ReplyInput no_reply_reply_to = participant_mail();
  no_reply_reply_to.reply_to_address = "no-reply@member.test";
  ReplyInput own = participant_mail();
  own.from_address = "tsbfgqit4n@itu.int";
  ReplyInput unauthenticated = participant_mail();
  unauthenticated.sender_authenticated = false;
  unauthenticated.authentication_reason = "dmarc=fail";
  ReplyInput limited = participant_mail();
  limited.replies_last_hour = 10;
  ReplyInput nobody = participant_mail();
  nobody.from_address = "not an address";
  for (ReplyInput* in : {&no_reply_reply_to, &own, &unauthenticated, &limited, &nobody}) {
    people.push_back(*in);
  }
  std::set<std::string> rules_seen;
  for (const ReplyInput& in : people) {
    ASSERT_FALSE(robot_or_list(in).has_value()) << in.headers.back().first;
    const ReplyDecision whole = decide_reply(in);
    const ReplyDecision person = decide_reply_to_person(in);
    EXPECT_EQ(person.send, whole.send) << whole.reason;
    EXPECT_EQ(person.rule, whole.rule) << whole.reason;
    EXPECT_EQ(person.recipient, whole.recipient) << whole.reason;
    EXPECT_EQ(person.reason, whole.reason);
    rules_seen.insert(whole.send ? "send" : std::string(to_string(whole.rule)));
  }
  // The inputs reach every rule that can withhold a person's reply.
  EXPECT_EQ(rules_seen, (std::set<std::string>{"send", "auto-response-suppress", "loop-marker",
                                               "robot-sender", "own-address", "unauthenticated",
                                               "rate-limit", "no-recipient"}));
}

// It is never asked about robot mail, and does not ask the robot rules again.
TEST(DecideReplyToPerson, DoesNotAskTheRobotRulesAgain) {
  const ReplyInput robot = with_header("Auto-Submitted", "auto-generated");
  ASSERT_TRUE(robot_or_list(robot).has_value());
  EXPECT_EQ(rule_for(robot), "auto-submitted");
  EXPECT_TRUE(decide_reply_to_person(robot).send);
}

TEST(IsPlainAddress, AcceptsOrdinaryAddresses) {
  EXPECT_TRUE(is_plain_address("alice@member.test"));
  EXPECT_TRUE(is_plain_address("first.last+qit4n@sub.member.test"));
  EXPECT_FALSE(is_plain_address("alice@member.test "));
}

}  // namespace
}  // namespace contribd::policy
