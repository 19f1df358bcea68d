// What `list` and `show` print: text from mail reaches the terminal escaped, JSON exactly.
#include <gtest/gtest.h>

#include "daemon/cli/register_view.h"
#include "tests/unit/storage/docnum.h"

namespace contribd {
namespace {

// "report<RLO>fdp.exe" looks like "reportexe.pdf"; the subject tries to clear the screen.
storage::Contribution disguised_contribution() {
  storage::Contribution contribution{.document_number = storage::testing::docnum("QIT4N-I-007")};
  contribution.meeting_id = "QIT4N-05";
  contribution.sender = "alice\u2066@member.test";
  contribution.subject = "Proposal\x1b[2J\u202E for Y.QKDN";
  contribution.message_id = "<id\x85@host>";
  contribution.files.push_back({"report\u202Efdp.exe", "application/pdf", 1234,
                                std::string(64, 'a'), "/var/lib/contribd/files/report.exe"});
  storage::ReplyRecord reply;
  reply.id = 1;
  reply.kind = storage::ReplyKind::ack;
  reply.state = storage::ReplyState::failed;
  reply.reason = "550 no such user\r\nX-Injected: yes";
  reply.recipient = "alice@member.test";
  contribution.replies.push_back(reply);
  return contribution;
}

bool has_raw_controls(const std::string& text) {
  for (const std::string_view raw : {"\x1b", "\u202E", "\u2066", "\x85", "\r"}) {
    if (text.find(raw) != std::string::npos) return true;
  }
  return false;
}

TEST(RegisterView, DetailsEscapeWhatCameInMail) {
  const std::string details = contribution_details(disguised_contribution());
  EXPECT_FALSE(has_raw_controls(details)) << details;
  EXPECT_NE(details.find("Subject:         Proposal\\u001B[2J\\u202E for Y.QKDN\n"),
            std::string::npos)
      << details;
  EXPECT_NE(details.find("  report\\u202Efdp.exe  1234 bytes"), std::string::npos) << details;
  EXPECT_NE(details.find("Sender:          alice\\u2066@member.test\n"), std::string::npos)
      << details;
  EXPECT_NE(details.find("Message-ID:      <id\\x85@host>\n"), std::string::npos) << details;
  EXPECT_NE(details.find("failed - 550 no such user\\u000D\\u000AX-Injected: yes"),
            std::string::npos)
      << details;
}

TEST(RegisterView, TableEscapesWhatCameInMail) {
  const std::string table = contributions_table({disguised_contribution()});
  EXPECT_FALSE(has_raw_controls(table)) << table;
  EXPECT_NE(table.find("Proposal\\u001B[2J\\u202E for Y.QKDN\n"), std::string::npos) << table;
  EXPECT_NE(table.find("alice\\u2066@member.test"), std::string::npos) << table;
}

TEST(RegisterView, JsonKeepsTheTextExact) {
  const nlohmann::json json = contribution_json(disguised_contribution());
  EXPECT_EQ(json["subject"], "Proposal\x1b[2J\u202E for Y.QKDN");
  EXPECT_EQ(json["files"][0]["filename"], "report\u202Efdp.exe");
  EXPECT_EQ(json["sender"], "alice\u2066@member.test");
  // nlohmann escapes what JSON needs, so the dump has no raw escape character either.
  EXPECT_EQ(json["subject"].dump(), "\"Proposal\\u001b[2J\u202E for Y.QKDN\"");
}

}  // namespace
}  // namespace contribd
