#include "daemon/policy/reply_decision.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "parsers/ascii_text.h"
#include "parsers/printable.h"

namespace contribd::policy {
namespace {

// The first word of a structured value: "auto-replied; owner=x (comment)" -> "auto-replied".
std::string first_token(std::string_view value) {
  value = ascii::trim(value);
  const auto end = value.find_first_of(" \t\r\n;(");
  return ascii::lower(value.substr(0, end));
}

// Header values come from strangers: the log gets them printable and short.
std::string for_log(std::string_view value) {
  return printable(value, 120, ControlShown::hex_escape);
}

using Headers = std::vector<std::pair<std::string, std::string>>;

const std::pair<std::string, std::string>* find_header(const Headers& headers,
                                                       std::string_view name) {
  for (const auto& field : headers) {
    if (ascii::equals_ignoring_case(field.first, name)) return &field;
  }
  return nullptr;
}

ReplyDecision withheld(ReplyRule rule, std::string reason, std::string recipient = {}) {
  return {false, std::move(recipient), rule, std::move(reason)};
}

std::optional<ReplyDecision> check_loop_marker(const ReplyInput& in) {
  if (const auto* ours = find_header(in.headers, kLoopHeader)) {
    return withheld(ReplyRule::loop_marker,
                    fmt::format("the message carries our loop marker {}: {}", ours->first,
                                for_log(ours->second)));
  }
  for (const auto& [name, value] : in.headers) {
    if (ascii::equals_ignoring_case(name, "X-Loop") && !in.loop_marker.empty() &&
        ascii::equals_ignoring_case(ascii::trim(value), in.loop_marker)) {
      return withheld(ReplyRule::loop_marker,
                      fmt::format("the message carries X-Loop: {}, which is ours", for_log(value)));
    }
  }
  return std::nullopt;
}

std::optional<ReplyDecision> check_auto_submitted(const ReplyInput& in) {
  const auto* field = find_header(in.headers, "Auto-Submitted");
  if (field == nullptr || first_token(field->second) == "no") return std::nullopt;
  return withheld(
      ReplyRule::auto_submitted,
      fmt::format("the message is automatic (Auto-Submitted: {})", for_log(field->second)));
}

// Exchange's X-Auto-Response-Suppress: a comma-separated list of what not to send back.
std::optional<ReplyDecision> check_auto_response_suppress(const ReplyInput& in) {
  for (const auto& [name, value] : in.headers) {
    if (!ascii::equals_ignoring_case(name, "X-Auto-Response-Suppress")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const std::string item = ascii::lower(ascii::trim(rest.substr(0, comma)));
      if (item == "all" || item == "autoreply" || item == "dr") {
        return withheld(ReplyRule::auto_response_suppress,
                        fmt::format("the sender asked for no automatic replies "
                                    "(X-Auto-Response-Suppress: {})",
                                    for_log(value)));
      }
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
  }
  return std::nullopt;
}

std::optional<ReplyDecision> check_precedence(const ReplyInput& in) {
  const auto* field = find_header(in.headers, "Precedence");
  if (field == nullptr) return std::nullopt;
  const std::string precedence = first_token(field->second);
  if (precedence != "bulk" && precedence != "junk" && precedence != "list" &&
      precedence != "auto_reply") {
    return std::nullopt;
  }
  return withheld(
      ReplyRule::precedence,
      fmt::format("the message is bulk or list mail (Precedence: {})", for_log(field->second)));
}

std::optional<ReplyDecision> check_list_headers(const ReplyInput& in) {
  for (const auto& [name, value] : in.headers) {
    const std::string lower_name = ascii::lower(name);
    if (lower_name.starts_with("list-") || lower_name == "mailing-list") {
      return withheld(ReplyRule::list_header,
                      fmt::format("the message came through a mailing list ({}: {})", for_log(name),
                                  for_log(value)));
    }
  }
  return std::nullopt;
}

std::optional<ReplyDecision> check_report(const ReplyInput& in) {
  if (!in.is_report) return std::nullopt;
  return withheld(ReplyRule::report,
                  "the message is a multipart/report (a delivery or read notification)");
}

std::optional<ReplyDecision> check_empty_return_path(const ReplyInput& in) {
  if (!in.return_path || !in.return_path->empty()) return std::nullopt;
  return withheld(ReplyRule::empty_return_path,
                  "the message has an empty Return-Path <>, as bounces and notifications do");
}

std::string_view local_part(std::string_view address) {
  return address.substr(0, address.rfind('@'));
}

// Mailbox names used by mail systems and list managers (RFC 5230 section 4.6).
bool is_robot_local_part(std::string_view address) {
  const std::string local = ascii::lower(local_part(address));
  static constexpr std::array<std::string_view, 4> exact{"mailer-daemon", "postmaster", "listserv",
                                                         "majordomo"};
  static constexpr std::array<std::string_view, 6> no_reply{
      "noreply", "no-reply", "no_reply", "donotreply", "do-not-reply", "do_not_reply"};
  if (std::find(exact.begin(), exact.end(), local) != exact.end()) return true;
  if (std::any_of(no_reply.begin(), no_reply.end(),
                  [&](std::string_view p) { return local.starts_with(p); })) {
    return true;
  }
  return local.starts_with("owner-") || local.ends_with("-request");
}

std::optional<ReplyDecision> check_robot_sender(const ReplyInput& in,
                                                const std::string& recipient) {
  for (const std::string* address : {&in.from_address, &recipient}) {
    if (!address->empty() && is_robot_local_part(*address)) {
      return withheld(ReplyRule::robot_sender,
                      fmt::format("{} is a mail system or list address", for_log(*address)),
                      recipient);
    }
  }
  if (in.return_path && is_robot_local_part(*in.return_path)) {
    return withheld(ReplyRule::robot_sender,
                    fmt::format("the Return-Path {} is a mail system or list address",
                                for_log(*in.return_path)),
                    recipient);
  }
  return std::nullopt;
}

std::optional<ReplyDecision> check_own_address(const ReplyInput& in, const std::string& recipient) {
  if (in.secretariat_address.empty()) return std::nullopt;
  for (const std::string* address : {&in.from_address, &recipient}) {
    if (ascii::equals_ignoring_case(*address, in.secretariat_address)) {
      return withheld(ReplyRule::own_address,
                      fmt::format("{} is the secretariat's own address", for_log(*address)),
                      recipient);
    }
  }
  return std::nullopt;
}

std::optional<ReplyDecision> check_authenticated(const ReplyInput& in,
                                                 const std::string& recipient) {
  if (!in.sender_authenticated || *in.sender_authenticated || in.reply_unauthenticated) {
    return std::nullopt;
  }
  return withheld(ReplyRule::unauthenticated,
                  fmt::format("the sender {} is not authenticated: {}", for_log(in.from_address),
                              for_log(in.authentication_reason)),
                  recipient);
}

std::optional<ReplyDecision> check_global_rate_limit(const ReplyInput& in,
                                                     const std::string& recipient) {
  if (in.max_all_per_hour <= 0 || in.all_replies_last_hour < in.max_all_per_hour) {
    return std::nullopt;
  }
  return withheld(ReplyRule::global_rate_limit,
                  fmt::format("{} replies went out in the past hour; the limit for all replies "
                              "together is {}",
                              in.all_replies_last_hour, in.max_all_per_hour),
                  recipient);
}

std::optional<ReplyDecision> check_rate_limit(const ReplyInput& in, const std::string& recipient) {
  if (in.max_per_hour <= 0 || in.replies_last_hour < in.max_per_hour) return std::nullopt;
  return withheld(ReplyRule::rate_limit,
                  fmt::format("{} replies went to {} in the past hour; the limit is {}",
                              in.replies_last_hour, recipient, in.max_per_hour),
                  recipient);
}

// Reply-To wins over From (RFC 5322 section 3.6.2). An unusable Reply-To is not replaced by
// From: the sender asked for replies elsewhere, and a forged Reply-To must not be guessed around.
std::optional<ReplyDecision> choose_recipient(const ReplyInput& in, std::string& recipient) {
  const bool has_reply_to = !in.reply_to_address.empty();
  const std::string& chosen = has_reply_to ? in.reply_to_address : in.from_address;
  const char* source = has_reply_to ? "Reply-To" : "From";
  if (chosen.empty())
    return withheld(ReplyRule::no_recipient, "the message has no From or Reply-To address");
  if (!is_plain_address(chosen)) {
    return withheld(
        ReplyRule::no_recipient,
        fmt::format("the {} address \"{}\" cannot be replied to", source, for_log(chosen)));
  }
  recipient = chosen;
  return std::nullopt;
}

}  // namespace

std::string_view to_string(ReplyRule rule) {
  switch (rule) {
    case ReplyRule::none:
      return "";
    case ReplyRule::auto_submitted:
      return "auto-submitted";
    case ReplyRule::precedence:
      return "precedence";
    case ReplyRule::list_header:
      return "list-header";
    case ReplyRule::auto_response_suppress:
      return "auto-response-suppress";
    case ReplyRule::report:
      return "report";
    case ReplyRule::loop_marker:
      return "loop-marker";
    case ReplyRule::empty_return_path:
      return "empty-return-path";
    case ReplyRule::robot_sender:
      return "robot-sender";
    case ReplyRule::own_address:
      return "own-address";
    case ReplyRule::no_recipient:
      return "no-recipient";
    case ReplyRule::unauthenticated:
      return "unauthenticated";
    case ReplyRule::rate_limit:
      return "rate-limit";
    case ReplyRule::global_rate_limit:
      return "global-rate-limit";
    case ReplyRule::robot:
      return "robot";
  }
  return "unknown";
}

bool is_plain_address(std::string_view address) {
  const auto at = address.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size()) return false;
  if (address.find('@', at + 1) != std::string_view::npos) return false;
  static constexpr std::string_view delimiters = "<>()[],;:\"\\";
  return std::all_of(address.begin(), address.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte > 0x20 && byte < 0x7f && delimiters.find(c) == std::string_view::npos;
  });
}

namespace {

// The rules about who gets the reply, once the message itself passed.
ReplyDecision decide_for_recipient(const ReplyInput& in) {
  std::string recipient;
  if (auto decision = choose_recipient(in, recipient)) return *decision;
  for (auto* check : {check_own_address, check_robot_sender, check_authenticated, check_rate_limit,
                      check_global_rate_limit}) {
    if (auto decision = check(in, recipient)) return *decision;
  }
  return {true, recipient, ReplyRule::none, fmt::format("the reply goes to {}", recipient)};
}

}  // namespace

ReplyDecision decide_reply(const ReplyInput& in) {
  // Rules about the message come first: they hold whoever the recipient would be.
  for (auto* check :
       {check_loop_marker, check_auto_submitted, check_auto_response_suppress, check_precedence,
        check_list_headers, check_report, check_empty_return_path}) {
    if (auto decision = check(in)) return *decision;
  }
  return decide_for_recipient(in);
}

ReplyDecision decide_reply_to_person(const ReplyInput& in) {
  for (auto* check : {check_loop_marker, check_auto_response_suppress}) {
    if (auto decision = check(in)) return *decision;
  }
  return decide_for_recipient(in);
}

std::optional<HoldDecision> robot_or_list(const ReplyInput& in) {
  for (auto* check : {check_auto_submitted, check_precedence, check_list_headers, check_report,
                      check_empty_return_path}) {
    if (auto decision = check(in)) return HoldDecision{decision->rule, decision->reason};
  }
  // The sender, not the recipient: a person's message with a no-reply Reply-To is registered.
  if (auto decision = check_robot_sender(in, std::string())) {
    return HoldDecision{decision->rule, decision->reason};
  }
  return std::nullopt;
}

}  // namespace contribd::policy
