// The meeting's page: what a person reads, and that nothing from mail becomes markup.
#include <gtest/gtest.h>

#include "daemon/publish/index_page.h"
#include "daemon/publish/meeting_page.h"
#include "publish_fixture.h"

namespace contribd::publish::testing {
namespace {

TEST(PublishMeetingPage, IsAnHtml5DocumentForPhones) {
  const std::string page = meeting_page_html(fifth_meeting(), four_contributions());
  EXPECT_EQ(page.rfind("<!doctype html>\n<html lang=\"en\">", 0), 0u) << page.substr(0, 80);
  EXPECT_NE(page.find("<meta charset=\"utf-8\">"), std::string::npos);
  EXPECT_NE(page.find("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"),
            std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos);
  // Narrow screens: rows become cards, each cell labelled by CSS from data-label.
  EXPECT_NE(page.find("@media (max-width: 44rem)"), std::string::npos);
  EXPECT_NE(page.find("content: attr(data-label)"), std::string::npos);
}

TEST(PublishMeetingPage, CountsAndDeadlineAtTheTop) {
  const std::string page = meeting_page_html(fifth_meeting(), four_contributions());
  EXPECT_NE(page.find("<dd id=\"count-total\">4</dd>"), std::string::npos);
  EXPECT_NE(page.find("<dd id=\"count-on-time\">3</dd>"), std::string::npos);
  EXPECT_NE(page.find("<dd id=\"count-late\">1</dd>"), std::string::npos);
  EXPECT_NE(page.find("<dd id=\"count-withdrawn\">1</dd>"), std::string::npos);
  EXPECT_NE(page.find("<time datetime=\"2020-07-22T21:59:59Z\">2020-07-22 21:59:59 UTC</time> "
                      "(2020-07-22 23:59:59 CEST)"),
            std::string::npos);
  EXPECT_LT(page.find("count-total"), page.find("<table"));
  EXPECT_NE(page.find("href=\"documents.csv\""), std::string::npos);
  EXPECT_NE(page.find("href=\"documents.json\""), std::string::npos);
  EXPECT_NE(page.find("href=\"timeline.svg\""), std::string::npos);
}

TEST(PublishMeetingPage, MailTextIsShownNotRun) {
  const std::string page = meeting_page_html(fifth_meeting(), {hostile()});
  EXPECT_EQ(page.find("<script>alert"), std::string::npos);
  EXPECT_EQ(occurrences(page, "<img"), 1u) << "the timeline only";
  EXPECT_NE(page.find("<bdi>&lt;script&gt;alert(1)&lt;/script&gt;</bdi>"), std::string::npos);
  // The source's line break is a space on the page, its quotes are entities.
  EXPECT_NE(page.find("<bdi>=HYPERLINK(&quot;http://x.test&quot;),&quot;a&quot;  b</bdi>"),
            std::string::npos);
}

TEST(PublishMeetingPage, SubjectStandsInForAMissingTitle) {
  storage::Contribution c = hostile();
  c.document.title.reset();
  const std::string page = meeting_page_html(fifth_meeting(), {c});
  EXPECT_NE(page.find("<bdi>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</bdi>"),
            std::string::npos);
  EXPECT_EQ(occurrences(page, "<img"), 1u) << "the timeline only";
}

TEST(PublishMeetingPage, EveryFileLinkedUnderItsPercentEncodedName) {
  const std::string page = meeting_page_html(fifth_meeting(), four_contributions());
  EXPECT_NE(page.find("<a href=\"files/QIT4N-I-001/clause%207%20%26%208.docx\">clause 7 &amp; "
                      "8.docx</a> <span class=\"size\">46 kB</span>"),
            std::string::npos);
  EXPECT_NE(page.find("href=\"files/QIT4N-I-002/x_onerror%3Dalert%281%29_.pdf\""),
            std::string::npos);
}

TEST(PublishMeetingPage, RevisionsWithTimeStatusAndFiles) {
  const std::string page = meeting_page_html(fifth_meeting(), {late_with_revision()});
  EXPECT_NE(page.find("<li data-revision=\"1\"><span class=\"revision\">Rev.1</span> "
                      "<time datetime=\"2020-07-23T10:00:00Z\">2020-07-23 10:00 UTC</time> "
                      "<span class=\"status late\">(late)</span> "
                      "<a href=\"files/QIT4N-I-003/rev1/usecases.docx\">usecases.docx</a></li>"),
            std::string::npos)
      << page;
  EXPECT_NE(page.find("<bdi>Use cases</bdi>"), std::string::npos);
}

TEST(PublishMeetingPage, WithdrawnStruckThroughAndSaidInWords) {
  const std::string page = meeting_page_html(fifth_meeting(), {withdrawn()});
  EXPECT_NE(page.find("class=\"contribution withdrawn\""), std::string::npos);
  EXPECT_NE(page.find("<del><span class=\"number\">QIT4N-I-004</span></del> "
                      "<span class=\"visually-hidden\">(withdrawn)</span>"),
            std::string::npos);
  EXPECT_NE(page.find("<del><bdi>Sent by mistake</bdi></del>"), std::string::npos);
  EXPECT_NE(page.find("withdrawn <time datetime=\"2020-07-24T08:00:00Z\">2020-07-24</time>"),
            std::string::npos);
  // The operator's reason is for the register, not for the public page.
  EXPECT_EQ(page.find("sent by mistake"), std::string::npos);
}

TEST(PublishMeetingPage, EmptyMeetingSaysSo) {
  const std::string page = meeting_page_html(fifth_meeting(), {});
  EXPECT_EQ(page.find("<table"), std::string::npos);
  EXPECT_NE(page.find("No input documents have been registered"), std::string::npos);
}

TEST(PublishMeetingPage, SameRegisterSameBytes) {
  EXPECT_EQ(meeting_page_html(fifth_meeting(), four_contributions()),
            meeting_page_html(fifth_meeting(), four_contributions()));
}

TEST(PublishIndexPage, EveryMeetingWithItsCounts) {
  Meeting sixth = fifth_meeting();
  sixth.id = "QIT4N-06";
  sixth.title = "Sixth <meeting>";
  const std::string page =
      index_page_html({{fifth_meeting(), {4, 3, 1, 1}}, {sixth, {0, 0, 0, 0}}});
  EXPECT_EQ(page.rfind("<!doctype html>", 0), 0u);
  EXPECT_NE(page.find("<a href=\"QIT4N-05/index.html\">QIT4N-05</a>"), std::string::npos);
  EXPECT_NE(page.find("<a href=\"QIT4N-06/index.html\">QIT4N-06</a>"), std::string::npos);
  EXPECT_NE(page.find("<bdi>Sixth &lt;meeting&gt;</bdi>"), std::string::npos);
  EXPECT_NE(page.find("<td data-label=\"Contributions\" class=\"total\">4</td>"),
            std::string::npos);
  EXPECT_LT(page.find("QIT4N-05"), page.find("QIT4N-06"));
}

}  // namespace
}  // namespace contribd::publish::testing
