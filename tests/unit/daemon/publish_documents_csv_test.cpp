// documents.csv: RFC 4180 as spreadsheets and Python's csv module read it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "daemon/publish/documents_csv.h"
#include "daemon/publish/documents_json.h"
#include "publish_fixture.h"

namespace contribd::publish::testing {
namespace {

TEST(PublishCsv, FieldsQuotedOnlyWhenNeededQuotesDoubledRecordsEndInCrlf) {
  EXPECT_EQ(csv_record({"plain", "a,b", "say \"hi\"", "two\nlines", "cr\r", ""}),
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\",\r\n");
}

TEST(PublishCsv, HeaderRowThenOneRecordPerContributionWithoutBom) {
  const std::string csv = documents_csv({ordinary()});
  EXPECT_EQ(csv,
            "document_number,title,subject,source,received_at,status,withdrawn_at,files,"
            "revisions\r\n"
            "QIT4N-I-001,\"Draft Recommendation Y.QKDN-req, clause 7\",Proposed text for clause "
            "7,Alpha Networks,2020-07-20T08:00:00Z,on_time,,files/QIT4N-I-001/"
            "clause%207%20%26%208.docx,\r\n");
}

TEST(PublishCsv, FormulasFromMailStayText) {
  EXPECT_EQ(inert_for_spreadsheets("=1+1"), "'=1+1");
  EXPECT_EQ(inert_for_spreadsheets("+41 22"), "'+41 22");
  EXPECT_EQ(inert_for_spreadsheets("-2"), "'-2");
  EXPECT_EQ(inert_for_spreadsheets("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(inert_for_spreadsheets("\tx"), "'\tx");
  EXPECT_EQ(inert_for_spreadsheets("Draft = final"), "Draft = final");
  const std::string csv = documents_csv({hostile()});
  EXPECT_NE(csv.find(",\"'=HYPERLINK(\"\"http://x.test\"\"),\"\"a\"\"\r\nb\","), std::string::npos)
      << csv;
  EXPECT_NE(csv.find(",<script>alert(1)</script>,\"\"\"><img src=x onerror=alert(1)>\","),
            std::string::npos)
      << csv;
}

TEST(PublishCsv, SubjectForAMissingTitleRevisionsAndWithdrawal) {
  const std::string csv = documents_csv({late_with_revision(), withdrawn()});
  EXPECT_NE(csv.find("QIT4N-I-003,Use cases,Use cases,,2020-07-23T07:00:00Z,late,,files/"
                     "QIT4N-I-003/usecases.docx,Rev.1 2020-07-23T10:00:00Z late files/"
                     "QIT4N-I-003/rev1/usecases.docx\r\n"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find(",2020-07-22T12:00:00Z,on_time,2020-07-24T08:00:00Z,"), std::string::npos);
}

TEST(PublishCsv, BytesThatAreNotUtf8BecomeReplacementCharacters) {
  storage::Contribution c = ordinary();
  c.subject = "caf\xe9";
  const std::string csv = documents_csv({c});
  EXPECT_NE(csv.find(",caf\xEF\xBF\xBD,"), std::string::npos);
}

TEST(PublishJson, ListJsonElementsWithoutLocalPaths) {
  const std::string json = documents_json(four_contributions());
  const nlohmann::json parsed = nlohmann::json::parse(json);
  ASSERT_EQ(parsed.size(), 4u);
  EXPECT_EQ(parsed[0]["document_number"], "QIT4N-I-001");
  EXPECT_EQ(parsed[1]["title"], "<script>alert(1)</script>");
  EXPECT_FALSE(parsed[0]["files"][0].contains("path"));
  EXPECT_FALSE(parsed[2]["revisions"][0]["files"][0].contains("path"));
  EXPECT_EQ(json.find("/srv/files"), std::string::npos);
  EXPECT_EQ(json.back(), '\n');
}

}  // namespace
}  // namespace contribd::publish::testing
