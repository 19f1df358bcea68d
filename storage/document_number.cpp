#include "storage/document_number.h"

#include <charconv>
#include <ostream>
#include <stdexcept>

namespace contribd::storage {
namespace {

constexpr std::size_t kMinDigits = 3;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

DocumentNumber DocumentNumber::from_parts(std::string_view prefix, std::int64_t number) {
  if (number < 0) {
    throw std::invalid_argument(
        fmt::format("document number {} for prefix \"{}\" is negative", number, prefix));
  }
  const std::string text = fmt::format("{}{:03}", prefix, number);
  auto parsed = parse(text);
  if (!parsed) {
    throw std::invalid_argument(
        fmt::format("document number {} for prefix \"{}\" makes \"{}\", whose trailing digits are "
                    "too many to read back",
                    number, prefix, text));
  }
  return std::move(*parsed);
}

std::optional<DocumentNumber> DocumentNumber::parse(std::string_view text) {
  std::size_t digits_start = text.size();
  while (digits_start > 0 && is_digit(text[digits_start - 1])) --digits_start;
  if (text.size() - digits_start < kMinDigits) return std::nullopt;
  std::int64_t number = 0;
  const char* const end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data() + digits_start, end, number);
  if (error != std::errc() || stop != end) return std::nullopt;  // beyond std::int64_t
  return DocumentNumber(std::string(text), digits_start, number);
}

std::strong_ordering operator<=>(const DocumentNumber& a, const DocumentNumber& b) {
  if (auto by_prefix = a.prefix() <=> b.prefix(); by_prefix != 0) return by_prefix;
  if (auto by_value = a.number_ <=> b.number_; by_value != 0) return by_value;
  return a.text_ <=> b.text_;
}

std::ostream& operator<<(std::ostream& out, const DocumentNumber& number) {
  return out << number.text();
}

}  // namespace contribd::storage
