// Document numbers: the meeting's prefix followed by the number, at least three digits wide,
// as the group's series is written ("QIT4N-I-007", "QIT4N-I-1234"). A DocumentNumber holds
// that text; only from_parts() and parse() make one, so every value is a well-formed number.
#pragma once

#include <fmt/format.h>

#include <compare>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace contribd::storage {

class DocumentNumber {
 public:
  // The prefix followed by the number, zero-padded to three digits. Throws
  // std::invalid_argument for a negative number (numbers start at first_number >= 0), or when
  // the digits of a prefix that ends in digits and the number's together exceed std::int64_t.
  static DocumentNumber from_parts(std::string_view prefix, std::int64_t number);
  // Text as from_parts() writes it: a prefix (any text, possibly empty) followed by a run of at
  // least three ASCII digits whose value fits std::int64_t: "QIT4N-I-007", "X-1234", "005".
  // nullopt for anything else ("", "abc", "QIT4N-I-", "QIT4N-I-12"). The text is kept as given.
  static std::optional<DocumentNumber> parse(std::string_view text);

  const std::string& text() const { return text_; }
  // The text before the trailing digits, and their value. For a prefix that itself ends in
  // digits the text cannot tell where the prefix ends ("T1001" reads as "T" and 1001); the
  // register keeps the series each number was issued under.
  std::string_view prefix() const { return std::string_view(text_).substr(0, digits_start_); }
  std::int64_t number() const { return number_; }

  friend bool operator==(const DocumentNumber& a, const DocumentNumber& b) {
    return a.text_ == b.text_;
  }
  // By prefix, then by value (QIT4N-I-999 before QIT4N-I-1000); the text breaks the tie between
  // two paddings of one value ("X-0007" and "X-007"), so that only equal numbers are equivalent.
  friend std::strong_ordering operator<=>(const DocumentNumber& a, const DocumentNumber& b);

 private:
  DocumentNumber(std::string text, std::size_t digits_start, std::int64_t number)
      : text_(std::move(text)), digits_start_(digits_start), number_(number) {}

  std::string text_;
  std::size_t digits_start_;
  std::int64_t number_;
};

// The text, so that test failures and streams show the number.
std::ostream& operator<<(std::ostream& out, const DocumentNumber& number);

}  // namespace contribd::storage

// fmt::format("{}", number) and widths such as "{:<14}" format the text.
template <>
struct fmt::formatter<contribd::storage::DocumentNumber> : fmt::formatter<std::string_view> {
  template <typename FormatContext>
  auto format(const contribd::storage::DocumentNumber& number, FormatContext& context) const {
    return fmt::formatter<std::string_view>::format(number.text(), context);
  }
};
