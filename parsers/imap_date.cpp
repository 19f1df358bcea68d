#include "parsers/imap_date.h"

#include <fmt/format.h>

#include <array>
#include <cctype>

namespace contribd::imap {
namespace {

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Reads exactly `count` decimal digits at text[pos...]; advances pos.
std::optional<int> take_digits(std::string_view text, std::size_t& pos, std::size_t count) {
  if (pos + count > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += count;
  return value;
}

bool take_char(std::string_view text, std::size_t& pos, char expected) {
  if (pos >= text.size() || text[pos] != expected) return false;
  ++pos;
  return true;
}

// "7", "07" or " 7": RFC 3501 allows a space-padded day; some servers write one digit.
std::optional<int> take_day(std::string_view text, std::size_t& pos) {
  if (pos < text.size() && text[pos] == ' ') ++pos;
  if (pos + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[pos + 1]))) {
    return take_digits(text, pos, 2);
  }
  return take_digits(text, pos, 1);
}

std::optional<unsigned> take_month(std::string_view text, std::size_t& pos) {
  if (pos + 3 > text.size()) return std::nullopt;
  for (std::size_t m = 0; m < kMonths.size(); ++m) {
    bool same = true;
    for (std::size_t i = 0; i < 3; ++i) {
      const auto c = static_cast<unsigned char>(text[pos + i]);
      same = same && std::tolower(c) == std::tolower(static_cast<unsigned char>(kMonths[m][i]));
    }
    if (same) {
      pos += 3;
      return static_cast<unsigned>(m + 1);
    }
  }
  return std::nullopt;
}

// "+hhmm" or "-hhmm" as an offset east of UTC.
std::optional<std::chrono::minutes> take_zone(std::string_view text, std::size_t& pos) {
  if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-')) return std::nullopt;
  const int sign = text[pos] == '-' ? -1 : 1;
  ++pos;
  const auto hours = take_digits(text, pos, 2);
  const auto minutes = take_digits(text, pos, 2);
  if (!hours || !minutes || *hours > 23 || *minutes > 59) return std::nullopt;
  return std::chrono::minutes(sign * (*hours * 60 + *minutes));
}

}  // namespace

std::optional<std::chrono::sys_seconds> parse_internal_date(std::string_view text) {
  using namespace std::chrono;
  std::size_t pos = 0;
  const auto day = take_day(text, pos);
  if (!day || !take_char(text, pos, '-')) return std::nullopt;
  const auto month = take_month(text, pos);
  if (!month || !take_char(text, pos, '-')) return std::nullopt;
  const auto year = take_digits(text, pos, 4);
  if (!year || *year < 1900 || !take_char(text, pos, ' ')) return std::nullopt;
  const auto hh = take_digits(text, pos, 2);
  if (!hh || !take_char(text, pos, ':')) return std::nullopt;
  const auto mm = take_digits(text, pos, 2);
  if (!mm || !take_char(text, pos, ':')) return std::nullopt;
  const auto ss = take_digits(text, pos, 2);
  if (!ss || !take_char(text, pos, ' ')) return std::nullopt;
  const auto zone = take_zone(text, pos);
  if (!zone || pos != text.size()) return std::nullopt;
  if (*hh > 23 || *mm > 59 || *ss > 60) return std::nullopt;

  const year_month_day date{std::chrono::year{*year}, std::chrono::month{*month},
                            std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok()) return std::nullopt;
  const sys_seconds local_as_utc = sys_days{date} + hours{*hh} + minutes{*mm} + seconds{*ss};
  const sys_seconds instant = local_as_utc - *zone;
  // The range holds for the instant in UTC too, so that every accepted date can be written
  // back as an INTERNALDATE: 1-Jan-1900 02:44 +1700 would be 31-Dec-1899 in UTC.
  const auto utc_year = static_cast<int>(year_month_day{floor<days>(instant)}.year());
  if (utc_year < 1900 || utc_year > 9999) return std::nullopt;
  return instant;
}

std::string format_internal_date(std::chrono::sys_seconds when) {
  using namespace std::chrono;
  const auto day_start = floor<days>(when);
  const year_month_day date{day_start};
  const hh_mm_ss time{when - day_start};
  return fmt::format("{:02}-{}-{:04} {:02}:{:02}:{:02} +0000", static_cast<unsigned>(date.day()),
                     kMonths[static_cast<unsigned>(date.month()) - 1],
                     static_cast<int>(date.year()), time.hours().count(), time.minutes().count(),
                     time.seconds().count());
}

}  // namespace contribd::imap
