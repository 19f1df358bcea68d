// Whether a registered contribution gets an automatic reply, and to whom (RFC 3834, RFC 5230).
// A contribution is always registered; this only decides the reply. Pure: plain data in, a
// decision with a stable rule name and a sentence for the log out. Malformed or hostile header
// values never throw: at worst they withhold the reply.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace contribd::policy {

// The header field contribd puts on every reply; its value is the secretariat's address.
// A message carrying it came from a contribd and is never answered.
inline constexpr std::string_view kLoopHeader = "X-Contribd-Loop";

struct ReplyInput {
  // The top-level header fields as name/value pairs, values unfolded and undecoded.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string from_address;                // bare addr-spec, may be empty
  std::string reply_to_address;            // first Reply-To addr-spec, empty when absent
  std::optional<std::string> return_path;  // "" for Return-Path: <>, nullopt when absent
  bool is_report = false;                  // the message is multipart/report (a DSN or MDN)
  std::string secretariat_address;         // our own address (SmtpConfig::from)
  std::string loop_marker;                 // the value we put in kLoopHeader
  int replies_last_hour = 0;      // replies sent or queued to the recipient ("+tags" folded)
  int max_per_hour = 10;          // the limit; 0 or less means no limit
  int all_replies_last_hour = 0;  // replies sent or queued to anyone
  int max_all_per_hour = 0;       // the global limit; 0 or less means no limit
  // SPEC step 4: nullopt without [trust]; otherwise whether the From address was
  // authenticated, and why not.
  std::optional<bool> sender_authenticated;
  std::string authentication_reason;
  bool reply_unauthenticated = false;  // [trust] unauthenticated = "reply"
};

// The rule that withheld a reply (or, for HoldDecision, held a message). Its name (to_string)
// is stable: it appears in the log, the register's reasons and the event log.
enum class ReplyRule {
  none,  // the reply is sent
  auto_submitted,
  precedence,
  list_header,
  auto_response_suppress,
  report,
  loop_marker,
  empty_return_path,
  robot_sender,
  own_address,
  no_recipient,
  unauthenticated,
  rate_limit,
  global_rate_limit,
  robot,  // a robot or list message that a person accepted from the review folder
};

// "auto-submitted", "rate-limit", ...; "" for ReplyRule::none.
std::string_view to_string(ReplyRule rule);

struct ReplyDecision {
  bool send = false;
  std::string recipient;             // where the reply goes; set whenever one could be chosen
  ReplyRule rule = ReplyRule::none;  // none when send; otherwise the first rule that withheld it
  std::string reason;  // a sentence for the log, naming the header or address concerned
};

// Every rule, in order: the message's own (loop marker, robot and list mail), then the
// recipient's (who it is, rate limits).
ReplyDecision decide_reply(const ReplyInput& input);

// The same for a message that robot_or_list() below found to be a person's: the robot and
// list rules are not asked again. For such a message it decides what decide_reply() decides.
ReplyDecision decide_reply_to_person(const ReplyInput& input);

// Robot and list mail (SPEC step 7: RFC 3834 Auto-Submitted, Precedence bulk/junk/list/
// auto_reply, list headers, an empty Return-Path, a multipart/report, a mail-system or no-reply
// sender): a message with files of this kind is held for a person, not registered. The rule
// names are those of ReplyDecision; nullopt for a person's message.
struct HoldDecision {
  ReplyRule rule = ReplyRule::none;
  std::string reason;
};
std::optional<HoldDecision> robot_or_list(const ReplyInput& input);

// True when `address` can be put in a To: field and an SMTP RCPT TO:<...> as it is: exactly one
// '@' with something on both sides, printable ASCII only, no spaces and no characters that
// delimit addresses (<>()[],;:"\).
bool is_plain_address(std::string_view address);

}  // namespace contribd::policy
