#include "parsers/imap_date.h"

#include <gtest/gtest.h>

namespace contribd::imap {
namespace {

using std::chrono::sys_days;
using namespace std::chrono_literals;

std::chrono::sys_seconds utc(int y, unsigned m, unsigned d, int hh, int mm, int ss) {
  return sys_days{std::chrono::year{y} / m / d} + std::chrono::hours{hh} +
         std::chrono::minutes{mm} + std::chrono::seconds{ss};
}

TEST(ImapDate, ConvertsTheRfc3501ExampleToUtc) {
  EXPECT_EQ(parse_internal_date("17-Jul-1996 02:44:25 -0700"), utc(1996, 7, 17, 9, 44, 25));
}

TEST(ImapDate, PositiveOffsetMovesBackAcrossMidnight) {
  EXPECT_EQ(parse_internal_date("23-Jul-2020 01:30:00 +0200"), utc(2020, 7, 22, 23, 30, 0));
}

TEST(ImapDate, AcceptsSpacePaddedAndSingleDigitDays) {
  const auto expected = utc(2020, 7, 7, 8, 0, 0);
  EXPECT_EQ(parse_internal_date(" 7-Jul-2020 08:00:00 +0000"), expected);
  EXPECT_EQ(parse_internal_date("7-Jul-2020 08:00:00 +0000"), expected);
  EXPECT_EQ(parse_internal_date("07-Jul-2020 08:00:00 +0000"), expected);
}

TEST(ImapDate, MonthNamesAreCaseInsensitive) {
  EXPECT_EQ(parse_internal_date("01-DEC-2019 00:00:00 +0000"), utc(2019, 12, 1, 0, 0, 0));
  EXPECT_EQ(parse_internal_date("01-dec-2019 00:00:00 +0000"), utc(2019, 12, 1, 0, 0, 0));
}

TEST(ImapDate, LeapDayAndLeapSecond) {
  EXPECT_EQ(parse_internal_date("29-Feb-2020 12:00:00 +0000"), utc(2020, 2, 29, 12, 0, 0));
  EXPECT_EQ(parse_internal_date("31-Dec-2016 23:59:60 +0000"), utc(2017, 1, 1, 0, 0, 0));
}

TEST(ImapDate, RejectsDatesThatDoNotExist) {
  EXPECT_FALSE(parse_internal_date("29-Feb-2019 12:00:00 +0000"));
  EXPECT_FALSE(parse_internal_date("31-Apr-2020 12:00:00 +0000"));
  EXPECT_FALSE(parse_internal_date("00-Apr-2020 12:00:00 +0000"));
  EXPECT_FALSE(parse_internal_date("10-Foo-2020 12:00:00 +0000"));
}

TEST(ImapDate, RejectsOutOfRangeFields) {
  EXPECT_FALSE(parse_internal_date("10-Apr-2020 24:00:00 +0000"));
  EXPECT_FALSE(parse_internal_date("10-Apr-2020 12:60:00 +0000"));
  EXPECT_FALSE(parse_internal_date("10-Apr-2020 12:00:61 +0000"));
  EXPECT_FALSE(parse_internal_date("10-Apr-2020 12:00:00 +2400"));
  EXPECT_FALSE(parse_internal_date("10-Apr-2020 12:00:00 +0060"));
  EXPECT_FALSE(parse_internal_date("10-Apr-1899 12:00:00 +0000"));
}

TEST(ImapDate, RejectsMalformedText) {
  for (const char* text :
       {"", "17-Jul-1996", "17-Jul-1996 02:44:25", "17-Jul-1996 02:44:25 0700",
        "17-Jul-1996 02:44:25 -07", "17-Jul-1996 02:44:25 -0700 ", "\"17-Jul-1996 02:44:25 -0700\"",
        "17/Jul/1996 02:44:25 -0700", "17-Jul-96 02:44:25 -0700", "117-Jul-1996 02:44:25 -0700",
        "17-Jul-1996 2:44:25 -0700", "17-Jul-1996T02:44:25 -0700", "17-Jul-1996 02:44:25 -07a0"}) {
    EXPECT_FALSE(parse_internal_date(text)) << text;
  }
}

// The year range applies to the instant in UTC as well, so that every accepted date can be
// written back (a fuzzer found the first one).
TEST(ImapDate, RejectsDatesWhoseUtcInstantLeavesTheYearRange) {
  EXPECT_FALSE(parse_internal_date("1-JAn-1900 02:44:20 +1700"));
  EXPECT_FALSE(parse_internal_date("31-Dec-9999 23:00:00 -0200"));
  EXPECT_EQ(parse_internal_date("1-Jan-1900 02:44:20 +0200"), utc(1900, 1, 1, 0, 44, 20));
  EXPECT_EQ(parse_internal_date("31-Dec-9999 21:00:00 -0200"), utc(9999, 12, 31, 23, 0, 0));
}

TEST(ImapDate, FormatsInUtcAndRoundTrips) {
  const auto when = utc(2020, 7, 22, 21, 59, 59);
  EXPECT_EQ(format_internal_date(when), "22-Jul-2020 21:59:59 +0000");
  EXPECT_EQ(parse_internal_date(format_internal_date(when)), when);
  EXPECT_EQ(format_internal_date(utc(1996, 1, 5, 0, 0, 0)), "05-Jan-1996 00:00:00 +0000");
}

}  // namespace
}  // namespace contribd::imap
