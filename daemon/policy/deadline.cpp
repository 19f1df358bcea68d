#include "daemon/policy/deadline.h"

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <stdexcept>

namespace contribd::policy {
namespace {

// The fields of "YYYY-MM-DDTHH:MM:SS[.fraction][Z|+HH:MM|-HH:MM]".
struct TimeText {
  date::local_seconds local;
  std::optional<std::chrono::minutes> offset;  // absent: a local time
};

// Reads exactly `count` decimal digits at `pos`, advancing it; -1 if they are not there.
int read_digits(std::string_view text, std::size_t& pos, std::size_t count) {
  if (pos + count > text.size()) return -1;
  int value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  pos += count;
  return value;
}

bool expect(std::string_view text, std::size_t& pos, std::string_view accepted) {
  if (pos >= text.size() || accepted.find(text[pos]) == std::string_view::npos) return false;
  ++pos;
  return true;
}

[[noreturn]] void malformed(std::string_view text, std::string_view why) {
  throw std::invalid_argument(
      fmt::format("\"{}\" is not a time like 2020-07-22T23:59:59+02:00 ({})", text, why));
}

date::local_seconds read_local_part(std::string_view text, std::size_t& pos) {
  const int year = read_digits(text, pos, 4);
  if (year < 0 || !expect(text, pos, "-")) malformed(text, "year");
  const int month = read_digits(text, pos, 2);
  if (month < 0 || !expect(text, pos, "-")) malformed(text, "month");
  const int day = read_digits(text, pos, 2);
  if (day < 0 || !expect(text, pos, "Tt ")) malformed(text, "day");
  const int hour = read_digits(text, pos, 2);
  if (hour < 0 || !expect(text, pos, ":")) malformed(text, "hour");
  const int minute = read_digits(text, pos, 2);
  if (minute < 0 || !expect(text, pos, ":")) malformed(text, "minute");
  const int second = read_digits(text, pos, 2);
  if (second < 0) malformed(text, "second");

  const date::year_month_day ymd{date::year{year}, date::month(static_cast<unsigned>(month)),
                                 date::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) malformed(text, "no such date");
  // A leap second (:60) cannot be represented by sys_seconds; deadlines never need one.
  if (hour > 23 || minute > 59 || second > 59) malformed(text, "no such time of day");
  return date::local_days{ymd} + std::chrono::hours{hour} + std::chrono::minutes{minute} +
         std::chrono::seconds{second};
}

void skip_fraction(std::string_view text, std::size_t& pos) {
  if (pos >= text.size() || text[pos] != '.') return;
  ++pos;
  const std::size_t first_digit = pos;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
  if (pos == first_digit) malformed(text, "fraction without digits");
}

std::optional<std::chrono::minutes> read_offset(std::string_view text, std::size_t& pos) {
  if (pos == text.size()) return std::nullopt;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
    return std::chrono::minutes{0};
  }
  const char sign = text[pos];
  if (sign != '+' && sign != '-') malformed(text, "offset");
  ++pos;
  const int hours = read_digits(text, pos, 2);
  if (hours < 0 || !expect(text, pos, ":")) malformed(text, "offset hours");
  const int minutes = read_digits(text, pos, 2);
  if (minutes < 0 || hours > 23 || minutes > 59) malformed(text, "offset minutes");
  const std::chrono::minutes offset{hours * 60 + minutes};
  return sign == '+' ? offset : -offset;
}

TimeText read_time_text(std::string_view text) {
  std::size_t pos = 0;
  TimeText parsed{read_local_part(text, pos), std::nullopt};
  skip_fraction(text, pos);
  parsed.offset = read_offset(text, pos);
  if (pos != text.size()) malformed(text, "unexpected text after the time");
  return parsed;
}

// The IANA database has no Europe/Geneva: Geneva keeps Swiss time, Europe/Zurich. The
// specification's examples and Geneva-based secretariats write the city they are in, so that
// one name is read as the zone it stands for rather than refused.
std::string_view canonical_zone_name(std::string_view timezone) {
  return timezone == "Europe/Geneva" ? std::string_view{"Europe/Zurich"} : timezone;
}

const date::time_zone* find_zone(std::string_view timezone) {
  try {
    return date::locate_zone(canonical_zone_name(timezone));
  } catch (const std::runtime_error&) {
    throw std::invalid_argument(fmt::format(
        "unknown time zone \"{}\" (expected an IANA name like Europe/Zurich)", timezone));
  }
}

std::string offset_text(std::chrono::seconds offset) {
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(offset).count();
  const auto magnitude = minutes < 0 ? -minutes : minutes;
  return fmt::format("{}{:02}:{:02}", minutes < 0 ? '-' : '+', magnitude / 60, magnitude % 60);
}

// A local time is converted only when the zone maps it to exactly one instant: a deadline
// that falls in a DST gap or overlap is a configuration mistake that must be fixed by hand.
UtcTime local_to_utc(std::string_view text, date::local_seconds local, std::string_view timezone) {
  const date::time_zone* zone = find_zone(timezone);
  const date::local_info info = zone->get_info(local);
  switch (info.result) {
    case date::local_info::unique:
      return UtcTime{local.time_since_epoch() - info.first.offset};
    case date::local_info::nonexistent:
      throw std::invalid_argument(
          fmt::format("\"{}\" does not exist in {}: the clocks skip it (DST change); write the "
                      "time with an offset instead",
                      text, timezone));
    default:
      throw std::invalid_argument(fmt::format(
          "\"{}\" happens twice in {} (DST change); write it with an offset: {}{} or {}{}", text,
          timezone, text, offset_text(info.first.offset), text, offset_text(info.second.offset)));
  }
}

}  // namespace

UtcTime parse_meeting_time(std::string_view text, std::string_view timezone) {
  const TimeText parsed = read_time_text(text);
  if (parsed.offset) {
    if (!timezone.empty()) find_zone(timezone);
    return UtcTime{parsed.local.time_since_epoch() - *parsed.offset};
  }
  if (timezone.empty()) {
    throw std::invalid_argument(
        fmt::format("\"{}\" has no UTC offset and the meeting has no timezone", text));
  }
  return local_to_utc(text, parsed.local, timezone);
}

Assignment assign_meeting(const std::vector<Meeting>& sorted_by_closes, UtcTime receipt) {
  if (sorted_by_closes.empty()) return {};
  const auto open = std::find_if(sorted_by_closes.begin(), sorted_by_closes.end(),
                                 [receipt](const Meeting& m) { return m.closes >= receipt; });
  if (open == sorted_by_closes.end()) return {&sorted_by_closes.back(), true};
  return {&*open, receipt > open->deadline};
}

std::string format_utc_for_people(UtcTime time) {
  return date::format("%Y-%m-%d %H:%M:%S UTC", time);
}

std::string format_in_zone(UtcTime time, std::string_view timezone) {
  if (timezone.empty()) return format_utc_for_people(time);
  const date::zoned_seconds local{find_zone(timezone), time};
  return date::format("%Y-%m-%d %H:%M:%S %Z", local);
}

}  // namespace contribd::policy
