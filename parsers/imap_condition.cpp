#include "parsers/imap_condition.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string>

#include "parsers/ascii_text.h"

namespace contribd::imap {
namespace {

// A server that names days is not believed: an hour is the longest wait taken from it.
constexpr std::uint64_t kMaxNamedSeconds = 3600;

struct Named {
  std::string_view name;
  KnownCode code;
};

constexpr Named kCodes[] = {
    {"ALREADYEXISTS", KnownCode::alreadyexists},
    {"AUTHENTICATIONFAILED", KnownCode::authenticationfailed},
    {"NONEXISTENT", KnownCode::nonexistent},
    {"TRYCREATE", KnownCode::trycreate},
    {"THROTTLED", KnownCode::throttled},
    {"UNAVAILABLE", KnownCode::unavailable},
};

// The digits at the start of `text` (after spaces), when they make a positive number.
std::optional<std::uint64_t> leading_number(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end == text.data() || value == 0) return std::nullopt;
  return value;
}

std::chrono::seconds capped_seconds(std::uint64_t seconds) {
  return std::chrono::seconds(std::min(seconds, kMaxNamedSeconds));
}

// Microsoft 365's words for what other servers say with a response code.
Condition from_text(std::string_view text) {
  Condition condition;
  if (ascii::find_ignoring_case(text, "Request is throttled") != std::string_view::npos) {
    condition.code = KnownCode::throttled;
    constexpr std::string_view kBackoff = "Suggested Backoff Time:";
    const std::size_t at = ascii::find_ignoring_case(text, kBackoff);
    if (at != std::string_view::npos) {
      if (auto ms = leading_number(text.substr(at + kBackoff.size()))) {
        condition.wait = capped_seconds(*ms / 1000 + (*ms % 1000 != 0 ? 1 : 0));
      }
    }
  } else if (ascii::starts_with_ignoring_case(ascii::trim(text), "Server Unavailable")) {
    condition.code = KnownCode::unavailable;
  }
  return condition;
}

}  // namespace

Condition condition_of(const Response& response) {
  if (response.code) {
    Condition condition;
    condition.code = KnownCode::other;
    for (const Named& known : kCodes) {
      if (response.code->name == known.name) condition.code = known.code;
    }
    if (condition.code == KnownCode::throttled) {
      if (auto seconds = leading_number(response.code->arguments)) {
        condition.wait = capped_seconds(*seconds);
      }
    }
    return condition;
  }
  // An OK is never read as a failure, whatever its text says (Gmail's "OK Success [THROTTLED]").
  if (!response.status || *response.status == Status::ok || *response.status == Status::preauth) {
    return {};
  }
  return from_text(response.text);
}

std::string_view code_name(KnownCode code) {
  for (const Named& known : kCodes) {
    if (known.code == code) return known.name;
  }
  return code == KnownCode::other ? "other" : "";
}

bool is_temporary(KnownCode code) {
  return code == KnownCode::throttled || code == KnownCode::unavailable;
}

}  // namespace contribd::imap
