#include "register_fixture.h"
#include "storage/sqlite.h"

namespace contribd::storage::testing {
namespace {

TEST_F(RegisterTest, FindReturnsWhatWasInserted) {
  Contribution original = contribution(docnum("QIT4N-I-007"), "alice@member.test", {});
  original.subject = "Proposition de texte — réseau QKD";
  original.message_id = "<abc.123@member.test>";
  original.received_at = utc(2020, 7, 23, 6, 30);
  original.late = true;
  original.files = {StoredFile{"Überblick.docx", "application/vnd.openxmlformats-officedocument",
                               98765, "aa11", "/srv/files/QIT4N-05/QIT4N-I-007/Überblick.docx"},
                    StoredFile{"slides.pdf", "application/pdf", 0, "bb22",
                               "/srv/files/QIT4N-05/QIT4N-I-007/slides.pdf"}};
  {
    auto transaction = reg_.begin();
    original.id = reg_.insert_contribution(original);
    transaction.commit();
  }

  const auto found = reg_.find(docnum("QIT4N-I-007"));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, original.id);
  EXPECT_EQ(found->document_number, docnum("QIT4N-I-007"));
  EXPECT_EQ(found->meeting_id, "QIT4N-05");
  EXPECT_EQ(found->sender, "alice@member.test");
  EXPECT_EQ(found->subject, original.subject);
  EXPECT_EQ(found->message_id, original.message_id);
  EXPECT_EQ(found->received_at, original.received_at);
  EXPECT_TRUE(found->late);
  ASSERT_EQ(found->files.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(found->files[i].filename, original.files[i].filename);
    EXPECT_EQ(found->files[i].content_type, original.files[i].content_type);
    EXPECT_EQ(found->files[i].size, original.files[i].size);
    EXPECT_EQ(found->files[i].sha256_hex, original.files[i].sha256_hex);
    EXPECT_EQ(found->files[i].path, original.files[i].path);
  }
  EXPECT_TRUE(found->replies.empty());
}

TEST_F(RegisterTest, FindUnknownNumberIsEmpty) {
  register_one("alice@member.test", {"aa"});
  EXPECT_FALSE(reg_.find(docnum("QIT4N-I-999")));
  EXPECT_FALSE(reg_.find(docnum("SG17-C-001")));
}

TEST_F(RegisterTest, ListFiltersByMeetingAndOrdersByNumber) {
  auto transaction = reg_.begin();
  reg_.insert_contribution(
      contribution(docnum("QIT4N-I-010"), "a@member.test", {"01"}, "QIT4N-05"));
  reg_.insert_contribution(
      contribution(docnum("QIT4N-I-002"), "b@member.test", {"02"}, "QIT4N-05"));
  reg_.insert_contribution(
      contribution(docnum("QIT4N-I-005"), "c@member.test", {"03"}, "QIT4N-06"));
  transaction.commit();

  const auto all = reg_.list();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].document_number, docnum("QIT4N-I-002"));
  EXPECT_EQ(all[1].document_number, docnum("QIT4N-I-005"));
  EXPECT_EQ(all[2].document_number, docnum("QIT4N-I-010"));
  EXPECT_EQ(all[2].files.size(), 1u);

  const auto fifth = reg_.list("QIT4N-05");
  ASSERT_EQ(fifth.size(), 2u);
  EXPECT_EQ(fifth[0].document_number, docnum("QIT4N-I-002"));
  EXPECT_EQ(fifth[1].document_number, docnum("QIT4N-I-010"));
  EXPECT_TRUE(reg_.list("QIT4N-99").empty());
}

TEST_F(RegisterTest, ValuesAreBoundNotSpliced) {
  const std::string hostile = "x'); DROP TABLE contributions; --";
  auto c = contribution(docnum("QIT4N-I-001"), hostile, {"aa"}, hostile);
  c.subject = hostile;
  auto transaction = reg_.begin();
  reg_.insert_contribution(c);
  transaction.commit();
  EXPECT_EQ(reg_.list(hostile).at(0).sender, hostile);
  EXPECT_EQ(reg_.find(docnum("QIT4N-I-001"))->subject, hostile);
}

TEST_F(RegisterTest, RegisterIsMovableWithAnOpenTransaction) {
  auto transaction = reg_.begin();
  const auto number = reg_.next_document_number("QIT4N-I-", 1);
  reg_.insert_contribution(contribution(number, "a@member.test", {"aa"}));
  Register moved = std::move(reg_);
  transaction.commit();
  EXPECT_TRUE(moved.find(number));
  reg_ = std::move(moved);
  EXPECT_TRUE(reg_.find(number));
}

// The register only ever writes well-formed numbers; a stored one that is not (edited by
// hand, another program) is an error naming the column and the value, not a guess.
TEST_F(RegisterTest, MalformedStoredNumberIsAnError) {
  const auto number = register_one("alice@member.test", {"aa"});
  reg_.record_examined({"INBOX", 1, 1}, "<a@h>", "01", {Outcome::registered, number, "", false});
  {
    sqlite::Database db(database_path(), sqlite::Database::Mode::read_write_create);
    db.exec("UPDATE contributions SET document_number = 'QIT4N-I-1'", "spoil the number");
    db.exec("UPDATE examined SET document_number = 'none'", "spoil the number");
  }
  const auto expect_named = [](const auto& read, std::string_view value) {
    try {
      read();
      ADD_FAILURE() << "a malformed number was read";
    } catch (const StorageError& error) {
      const std::string text = error.what();
      EXPECT_NE(text.find("document_number"), std::string::npos) << text;
      EXPECT_NE(text.find(value), std::string::npos) << text;
    }
  };
  expect_named([&] { reg_.list(); }, "\"QIT4N-I-1\"");
  expect_named([&] { reg_.examined({"INBOX", 1, 1}); }, "\"none\"");
}

}  // namespace
}  // namespace contribd::storage::testing
