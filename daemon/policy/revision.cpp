#include "daemon/policy/revision.h"

#include <fmt/format.h>

#include <algorithm>

#include "parsers/ascii_text.h"

namespace contribd::policy {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// "PREFIX<digits>" or "PREFIX<digits> Rev.<digits>" (case of "Rev" ignored): the number part,
// when it is one (at least three digits).
std::optional<storage::DocumentNumber> document_number_in(
    std::string_view tag, const std::vector<std::string>& prefixes) {
  for (const std::string& prefix : prefixes) {
    if (prefix.empty() || !tag.starts_with(prefix)) continue;
    std::size_t end = prefix.size();
    while (end < tag.size() && is_digit(tag[end])) ++end;
    if (end == prefix.size()) continue;
    const std::string_view rest = tag.substr(end);
    const bool plain = rest.empty();
    const bool revision = rest.size() > 5 &&
                          ascii::equals_ignoring_case(rest.substr(0, 5), " rev.") &&
                          std::all_of(rest.begin() + 5, rest.end(), is_digit);
    if (!plain && !revision) continue;
    if (auto number = storage::DocumentNumber::parse(tag.substr(0, end))) return number;
  }
  return std::nullopt;
}

}  // namespace

std::vector<storage::DocumentNumber> bracketed_document_numbers(
    std::string_view subject, const std::vector<std::string>& prefixes) {
  std::vector<storage::DocumentNumber> numbers;
  std::size_t open = 0;
  while ((open = subject.find('[', open)) != std::string_view::npos) {
    const std::size_t close = subject.find_first_of("[]", open + 1);
    if (close == std::string_view::npos) break;
    if (subject[close] == '[') {  // "[[X]": the inner bracket opens the tag
      open = close;
      continue;
    }
    if (auto number = document_number_in(subject.substr(open + 1, close - open - 1), prefixes)) {
      if (std::find(numbers.begin(), numbers.end(), *number) == numbers.end()) {
        numbers.push_back(std::move(*number));
      }
    }
    open = close + 1;
  }
  return numbers;
}

RevisionDecision decide_revision(std::string_view sender,
                                 const std::vector<RevisionCandidate>& candidates) {
  for (const RevisionCandidate& candidate : candidates) {
    if (sender.empty() || !ascii::equals_ignoring_case(candidate.sender, sender)) continue;
    return {candidate.withdrawn ? RevisionVerdict::hold_withdrawn : RevisionVerdict::revision,
            candidate.document_number};
  }
  return {};
}

std::string revision_subject(std::string_view subject, const std::vector<std::string>& prefixes) {
  static constexpr std::string_view kPrefixes[] = {
      "re:", "aw:", "fw:", "fwd:", "wg:", "tr:", "received:", "late contribution received:"};
  std::string_view text = ascii::trim(subject);
  for (bool stripped = true; stripped;) {
    stripped = false;
    for (std::string_view prefix : kPrefixes) {
      if (ascii::starts_with_ignoring_case(text, prefix)) {
        text = ascii::trim(text.substr(prefix.size()));
        stripped = true;
      }
    }
    if (text.ends_with(']')) {
      const std::size_t open = text.rfind('[');
      if (open != std::string_view::npos &&
          !bracketed_document_numbers(text.substr(open), prefixes).empty()) {
        text = ascii::trim(text.substr(0, open));
        stripped = true;
      }
    }
  }
  return text.empty() ? std::string(subject) : std::string(text);
}

std::string revision_label(const storage::DocumentNumber& document_number, int revision) {
  return fmt::format("{} Rev.{}", document_number, revision);
}

}  // namespace contribd::policy
