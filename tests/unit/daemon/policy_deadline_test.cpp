#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "daemon/policy/deadline.h"
#include "storage/utc_text.h"

namespace contribd::policy {
namespace {

UtcTime utc(const char* text) {
  return parse_meeting_time(text, "");
}

Meeting meeting(std::string id, const char* deadline, const char* closes) {
  Meeting m;
  m.id = std::move(id);
  m.deadline = utc(deadline);
  m.closes = utc(closes);
  return m;
}

std::string invalid_reason(const char* text, const char* zone) {
  try {
    parse_meeting_time(text, zone);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "accepted";
}

TEST(ParseMeetingTime, OffsetIsSubtracted) {
  EXPECT_EQ(storage::format_utc(utc("2020-07-22T23:59:59+02:00")), "2020-07-22T21:59:59Z");
  EXPECT_EQ(storage::format_utc(utc("2020-07-22T23:59:59-05:30")), "2020-07-23T05:29:59Z");
}

TEST(ParseMeetingTime, ZuluAndLowerCaseAndFraction) {
  EXPECT_EQ(storage::format_utc(utc("2020-07-22T23:59:59Z")), "2020-07-22T23:59:59Z");
  EXPECT_EQ(storage::format_utc(utc("2020-07-22t23:59:59z")), "2020-07-22T23:59:59Z");
  EXPECT_EQ(storage::format_utc(utc("2020-07-22 23:59:59.999Z")), "2020-07-22T23:59:59Z");
}

TEST(ParseMeetingTime, LocalTimeInZone) {
  // Geneva is on CEST (+02:00) in July and CET (+01:00) in January.
  EXPECT_EQ(storage::format_utc(parse_meeting_time("2020-07-22T23:59:59", "Europe/Geneva")),
            "2020-07-22T21:59:59Z");
  EXPECT_EQ(storage::format_utc(parse_meeting_time("2021-01-15T12:00:00", "Europe/Geneva")),
            "2021-01-15T11:00:00Z");
}

TEST(ParseMeetingTime, GenevaIsSwissTime) {
  // IANA has no Europe/Geneva; the specification's examples use it for Europe/Zurich.
  EXPECT_EQ(parse_meeting_time("2020-07-22T23:59:59", "Europe/Geneva"),
            parse_meeting_time("2020-07-22T23:59:59", "Europe/Zurich"));
}

TEST(ParseMeetingTime, ExplicitOffsetWinsOverZone) {
  EXPECT_EQ(storage::format_utc(parse_meeting_time("2020-07-22T23:59:59Z", "Europe/Geneva")),
            "2020-07-22T23:59:59Z");
}

TEST(ParseMeetingTime, OctoberSwitchInGeneva) {
  // 25 October 2020: at 03:00 CEST the clocks went back to 02:00 CET.
  EXPECT_EQ(storage::format_utc(parse_meeting_time("2020-10-25T01:59:59", "Europe/Geneva")),
            "2020-10-24T23:59:59Z");
  EXPECT_EQ(storage::format_utc(parse_meeting_time("2020-10-25T03:00:00", "Europe/Geneva")),
            "2020-10-25T02:00:00Z");
  const std::string reason = invalid_reason("2020-10-25T02:30:00", "Europe/Geneva");
  EXPECT_NE(reason.find("happens twice"), std::string::npos) << reason;
  EXPECT_NE(reason.find("+02:00"), std::string::npos) << reason;
  EXPECT_NE(reason.find("+01:00"), std::string::npos) << reason;
}

TEST(ParseMeetingTime, MarchSwitchInGeneva) {
  // 29 March 2020: at 02:00 CET the clocks jumped to 03:00 CEST.
  EXPECT_EQ(storage::format_utc(parse_meeting_time("2020-03-29T01:59:59", "Europe/Geneva")),
            "2020-03-29T00:59:59Z");
  EXPECT_EQ(storage::format_utc(parse_meeting_time("2020-03-29T03:00:00", "Europe/Geneva")),
            "2020-03-29T01:00:00Z");
  const std::string reason = invalid_reason("2020-03-29T02:30:00", "Europe/Geneva");
  EXPECT_NE(reason.find("does not exist in Europe/Geneva"), std::string::npos) << reason;
}

TEST(ParseMeetingTime, RejectsMalformedText) {
  for (const char* bad :
       {"", "2020-07-22", "2020-07-22T23:59", "2020-07-22T23:59:59+0200", "2020-13-01T00:00:00Z",
        "2020-02-30T00:00:00Z", "2020-07-22T24:00:00Z", "2020-07-22T23:59:60Z",
        "2020-07-22T23:59:59+24:00", "2020-07-22T23:59:59Z junk", "2020-07-22T23:59:59.Z",
        "20-07-22T23:59:59Z", "2020-07-22T23:5a:59Z"}) {
    EXPECT_THROW(parse_meeting_time(bad, ""), std::invalid_argument) << bad;
  }
}

TEST(ParseMeetingTime, LocalTimeNeedsAZone) {
  EXPECT_NE(invalid_reason("2020-07-22T23:59:59", "").find("no UTC offset"), std::string::npos);
}

TEST(ParseMeetingTime, UnknownZoneIsAnErrorEvenWithAnOffset) {
  EXPECT_NE(invalid_reason("2020-07-22T23:59:59", "Europe/Atlantis").find("unknown time zone"),
            std::string::npos);
  EXPECT_THROW(parse_meeting_time("2020-07-22T23:59:59Z", "Mars/Olympus"), std::invalid_argument);
}

TEST(AssignMeeting, TheDeadlineSecondItselfIsOnTime) {
  const std::vector<Meeting> meetings{
      meeting("QIT4N-05", "2020-07-22T23:59:59+02:00", "2020-08-07T23:59:59+02:00")};
  const Assignment at = assign_meeting(meetings, utc("2020-07-22T21:59:59Z"));
  EXPECT_EQ(at.meeting, &meetings[0]);
  EXPECT_FALSE(at.late);
  EXPECT_TRUE(assign_meeting(meetings, utc("2020-07-22T22:00:00Z")).late);
  EXPECT_FALSE(assign_meeting(meetings, utc("2020-07-01T00:00:00Z")).late);
}

TEST(AssignMeeting, FirstMeetingStillOpenIsChosen) {
  const std::vector<Meeting> meetings{
      meeting("QIT4N-05", "2020-07-22T23:59:59+02:00", "2020-08-07T23:59:59+02:00"),
      meeting("QIT4N-06", "2020-10-20T23:59:59+02:00", "2020-11-06T23:59:59+01:00")};
  // During meeting 5: late for meeting 5, not early for meeting 6.
  const Assignment during = assign_meeting(meetings, utc("2020-07-30T10:00:00Z"));
  EXPECT_EQ(during.meeting->id, "QIT4N-05");
  EXPECT_TRUE(during.late);
  // The closing second still belongs to meeting 5; the next one to meeting 6, on time.
  EXPECT_EQ(assign_meeting(meetings, utc("2020-08-07T21:59:59Z")).meeting->id, "QIT4N-05");
  const Assignment next = assign_meeting(meetings, utc("2020-08-07T22:00:00Z"));
  EXPECT_EQ(next.meeting->id, "QIT4N-06");
  EXPECT_FALSE(next.late);
}

TEST(AssignMeeting, AfterTheLastMeetingClosesIsLateForTheLast) {
  const std::vector<Meeting> meetings{
      meeting("QIT4N-05", "2020-07-22T23:59:59+02:00", "2020-08-07T23:59:59+02:00"),
      meeting("QIT4N-06", "2020-10-20T23:59:59+02:00", "2020-11-06T23:59:59+01:00")};
  const Assignment after = assign_meeting(meetings, utc("2021-01-01T00:00:00Z"));
  EXPECT_EQ(after.meeting, &meetings[1]);
  EXPECT_TRUE(after.late);
}

TEST(AssignMeeting, NoMeetingsGivesNone) {
  const Assignment none = assign_meeting({}, utc("2021-01-01T00:00:00Z"));
  EXPECT_EQ(none.meeting, nullptr);
}

TEST(FormatTime, UtcZoneAndRfc3339) {
  const UtcTime t = utc("2020-07-20T08:00:00Z");
  EXPECT_EQ(format_utc_for_people(t), "2020-07-20 08:00:00 UTC");
  EXPECT_EQ(format_in_zone(t, "Europe/Geneva"), "2020-07-20 10:00:00 CEST");
  EXPECT_EQ(format_in_zone(utc("2020-12-01T08:00:00Z"), "Europe/Geneva"),
            "2020-12-01 09:00:00 CET");
  EXPECT_EQ(format_in_zone(t, ""), "2020-07-20 08:00:00 UTC");
  EXPECT_EQ(storage::format_utc(t), "2020-07-20T08:00:00Z");
  EXPECT_THROW(format_in_zone(t, "Nowhere/Here"), std::invalid_argument);
}

}  // namespace
}  // namespace contribd::policy
