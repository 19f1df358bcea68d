#include "storage/records.h"

#include <fmt/format.h>

#include <array>
#include <utility>

namespace contribd::storage {
namespace {

template <typename Enum, std::size_t N>
using NameTable = std::array<std::pair<Enum, std::string_view>, N>;

constexpr NameTable<Outcome, 5> outcome_names{{{Outcome::registered, "registered"},
                                               {Outcome::duplicate, "duplicate"},
                                               {Outcome::skipped, "skipped"},
                                               {Outcome::rejected, "rejected"},
                                               {Outcome::held, "held"}}};
constexpr NameTable<HoldCause, 4> cause_names{{{HoldCause::robot, "robot"},
                                               {HoldCause::limit, "limit"},
                                               {HoldCause::failure, "failure"},
                                               {HoldCause::withdrawn, "withdrawn"}}};
constexpr NameTable<HeldState, 3> held_state_names{{{HeldState::held, "held"},
                                                    {HeldState::accepted, "accepted"},
                                                    {HeldState::registered, "registered"}}};
constexpr NameTable<TemplateUse, 2> template_names{
    {{TemplateUse::itu, "itu"}, {TemplateUse::none, "none"}}};
constexpr NameTable<ReplyKind, 3> kind_names{
    {{ReplyKind::ack, "ack"}, {ReplyKind::late, "late"}, {ReplyKind::none, "none"}}};
constexpr NameTable<ReplyState, 4> state_names{{{ReplyState::queued, "queued"},
                                                {ReplyState::sent, "sent"},
                                                {ReplyState::withheld, "withheld"},
                                                {ReplyState::failed, "failed"}}};

template <typename Enum, std::size_t N>
std::string name_of(const NameTable<Enum, N>& table, Enum value) {
  for (const auto& [candidate, name] : table) {
    if (candidate == value) return std::string(name);
  }
  return "unknown";  // only reachable through a cast of an out-of-range integer
}

template <typename Enum, std::size_t N>
std::optional<Enum> value_of(const NameTable<Enum, N>& table, std::string_view text) {
  for (const auto& [value, name] : table) {
    if (name == text) return value;
  }
  return std::nullopt;
}

}  // namespace

std::string to_string(Outcome value) {
  return name_of(outcome_names, value);
}
std::string to_string(ReplyKind value) {
  return name_of(kind_names, value);
}
std::string to_string(ReplyState value) {
  return name_of(state_names, value);
}

std::string to_string(const MessageKey& key) {
  return fmt::format("mailbox \"{}\" UIDVALIDITY {} UID {}", key.mailbox, key.uidvalidity, key.uid);
}

std::string to_string(HoldCause value) {
  return name_of(cause_names, value);
}
std::string to_string(HeldState value) {
  return name_of(held_state_names, value);
}
std::string to_string(TemplateUse value) {
  return name_of(template_names, value);
}
std::optional<TemplateUse> template_use_from_string(std::string_view text) {
  return value_of(template_names, text);
}
std::optional<HoldCause> hold_cause_from_string(std::string_view text) {
  return value_of(cause_names, text);
}
std::optional<HeldState> held_state_from_string(std::string_view text) {
  return value_of(held_state_names, text);
}

std::optional<Outcome> outcome_from_string(std::string_view text) {
  return value_of(outcome_names, text);
}
std::optional<ReplyKind> reply_kind_from_string(std::string_view text) {
  return value_of(kind_names, text);
}
std::optional<ReplyState> reply_state_from_string(std::string_view text) {
  return value_of(state_names, text);
}

}  // namespace contribd::storage
