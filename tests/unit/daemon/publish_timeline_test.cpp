// timeline.svg: one point per contribution, late ones another shape, the deadline drawn.
#include <gtest/gtest.h>

#include "daemon/publish/timeline_svg.h"
#include "publish_fixture.h"

namespace contribd::publish::testing {
namespace {

TEST(PublishTimeline, OnePointPerContributionLateOnesSquare) {
  const std::string svg = timeline_svg(fifth_meeting(), four_contributions());
  EXPECT_EQ(svg.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=", 0), 0u);
  EXPECT_EQ(occurrences(svg, "class=\"contribution "), 4u);
  EXPECT_EQ(occurrences(svg, "<rect class=\"contribution late"), 1u);
  EXPECT_EQ(occurrences(svg, "<circle class=\"contribution on-time"), 3u);
  EXPECT_EQ(occurrences(svg, "class=\"contribution on-time withdrawn\""), 1u);
  EXPECT_NE(svg.find("data-document=\"QIT4N-I-003\" data-received=\"2020-07-23T07:00:00Z\" "
                     "data-status=\"late\""),
            std::string::npos);
}

TEST(PublishTimeline, DeadlineLineWithLabelAndLegend) {
  const std::string svg = timeline_svg(fifth_meeting(), four_contributions());
  EXPECT_EQ(occurrences(svg, "<line class=\"deadline\""), 1u);
  EXPECT_EQ(occurrences(svg, "deadline\""), 1u) << "the legend's key is not a deadline line";
  EXPECT_NE(svg.find("data-deadline=\"2020-07-22T21:59:59Z\""), std::string::npos);
  EXPECT_NE(svg.find(">Deadline 22 Jul 21:59 UTC</text>"), std::string::npos);
  EXPECT_NE(svg.find(">Late</text>"), std::string::npos);
  EXPECT_NE(svg.find(">Withdrawn (still counted)</text>"), std::string::npos);
}

TEST(PublishTimeline, CountedInOrderOfReceipt) {
  // QIT4N-I-004 came before QIT4N-I-003: the cumulative line climbs in receipt order.
  const std::string svg = timeline_svg(fifth_meeting(), four_contributions());
  EXPECT_LT(svg.find("data-document=\"QIT4N-I-004\""), svg.find("data-document=\"QIT4N-I-003\""));
  EXPECT_NE(svg.find("<path class=\"cumulative\" d=\"M56.0 312.0 H"), std::string::npos);
}

TEST(PublishTimeline, EmptyMeetingShowsTheDeadlineOnly) {
  const std::string svg = timeline_svg(fifth_meeting(), {});
  EXPECT_EQ(occurrences(svg, "class=\"contribution "), 0u);
  EXPECT_EQ(occurrences(svg, "<line class=\"deadline\""), 1u);
  EXPECT_EQ(svg.find("class=\"cumulative\""), std::string::npos);
}

TEST(PublishTimeline, AllAtOneInstantStillDrawsAnAxis) {
  std::vector<storage::Contribution> same;
  for (int i = 0; i < 3; ++i) {
    storage::Contribution c = ordinary();
    c.document_number = storage::DocumentNumber::from_parts("QIT4N-I-", i + 1);
    c.received_at = fifth_meeting().deadline;
    same.push_back(c);
  }
  const std::string svg = timeline_svg(fifth_meeting(), same);
  EXPECT_EQ(occurrences(svg, "class=\"contribution "), 3u);
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(svg.find("inf"), std::string::npos);
  EXPECT_GE(occurrences(svg, "class=\"tick-label\""), 3u);
}

TEST(PublishTimeline, SameRegisterSameBytes) {
  EXPECT_EQ(timeline_svg(fifth_meeting(), four_contributions()),
            timeline_svg(fifth_meeting(), four_contributions()));
}

}  // namespace
}  // namespace contribd::publish::testing
