#include "storage/utc_text.h"

#include <gtest/gtest.h>

namespace contribd::storage {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

UtcTime at(year_month_day date, seconds time_of_day) {
  return sys_days{date} + time_of_day;
}

TEST(UtcText, FormatsIso8601WithZ) {
  EXPECT_EQ(format_utc(at(2020y / July / 20, 8h)), "2020-07-20T08:00:00Z");
  EXPECT_EQ(format_utc(at(2020y / July / 22, 21h + 59min + 59s)), "2020-07-22T21:59:59Z");
  EXPECT_EQ(format_utc(UtcTime{}), "1970-01-01T00:00:00Z");
}

TEST(UtcText, RoundTrips) {
  for (const auto time : {at(2020y / July / 20, 8h), at(2024y / February / 29, 23h + 59min + 59s),
                          at(1999y / December / 31, 0s)}) {
    EXPECT_EQ(parse_utc(format_utc(time)), time);
  }
}

TEST(UtcText, RejectsAnythingElse) {
  EXPECT_FALSE(parse_utc(""));
  EXPECT_FALSE(parse_utc("2020-07-20 08:00:00Z"));
  EXPECT_FALSE(parse_utc("2020-07-20T08:00:00"));
  EXPECT_FALSE(parse_utc("2020-07-20T08:00:00+02:00"));
  EXPECT_FALSE(parse_utc("2020-13-20T08:00:00Z"));
  EXPECT_FALSE(parse_utc("2021-02-29T08:00:00Z"));
  EXPECT_FALSE(parse_utc("2020-07-20T24:00:00Z"));
  EXPECT_FALSE(parse_utc("2020-07-2xT08:00:00Z"));
}

TEST(UtcText, TextOrderIsTimeOrder) {
  const auto earlier = format_utc(at(2020y / July / 9, 23h));
  const auto later = format_utc(at(2020y / July / 10, 1h));
  EXPECT_LT(earlier, later);
}

TEST(UtcText, YearBeyondFourDigitsIsRefused) {
  EXPECT_THROW(format_utc(at(year{10000} / January / 1, 0s)), StorageError);
}

}  // namespace
}  // namespace contribd::storage
