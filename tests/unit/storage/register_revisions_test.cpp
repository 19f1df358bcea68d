// Revisions (SPEC step 9) and document facts (step 10) in the register.
#include <gtest/gtest.h>

#include "register_fixture.h"
#include "storage/schema.h"
#include "storage/sqlite.h"

namespace contribd::storage::testing {
namespace {

Revision revision(int number, std::vector<std::string> hashes, bool late = false) {
  Revision r;
  r.number = number;
  r.message_id = "<rev" + std::to_string(number) + "@member.test>";
  r.subject = "Re: Received: Contribution on QKD networks [QIT4N-I-001]";
  r.received_at = utc(2020, 7, 21 + number, 10);
  r.late = late;
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    r.files.push_back(stored_file("rev" + std::to_string(i) + ".docx", hashes[i]));
  }
  return r;
}

std::int64_t id_of(Register& reg, const DocumentNumber& number) {
  return reg.find(number)->id;
}

const std::string kReply =
    "From: secretariat@itu.test\r\nTo: alice@member.test\r\nSubject: Received: x [QIT4N-I-001]\r\n"
    "Message-ID: <ack-1@itu.test>\r\nAuto-Submitted: auto-replied\r\n\r\nbody\r\n";

TEST_F(RegisterTest, RevisionsAreNumberedFromOneAndReadBackOldestFirst) {
  const auto number = register_one("alice@member.test", {"aa"});
  const auto id = id_of(reg_, number);
  auto transaction = reg_.begin();
  EXPECT_EQ(reg_.next_revision_number(id), 1);
  reg_.insert_revision(id, revision(1, {"bb"}));
  EXPECT_EQ(reg_.next_revision_number(id), 2);
  reg_.insert_revision(id, revision(2, {"cc", "dd"}, true));
  transaction.commit();

  const auto found = reg_.find(number);
  ASSERT_EQ(found->revisions.size(), 2u);
  EXPECT_EQ(found->revisions[0].number, 1);
  EXPECT_EQ(found->revisions[0].message_id, "<rev1@member.test>");
  EXPECT_FALSE(found->revisions[0].late);
  ASSERT_EQ(found->revisions[0].files.size(), 1u);
  EXPECT_EQ(found->revisions[0].files[0].sha256_hex, "bb");
  EXPECT_EQ(found->revisions[1].number, 2);
  EXPECT_TRUE(found->revisions[1].late);
  EXPECT_EQ(found->revisions[1].files.size(), 2u);
  // The original's own files are untouched.
  ASSERT_EQ(found->files.size(), 1u);
  EXPECT_EQ(found->files[0].sha256_hex, "aa");
}

TEST_F(RegisterTest, ARevisionNumberIsTakenOnce) {
  const auto id = id_of(reg_, register_one("alice@member.test", {"aa"}));
  auto transaction = reg_.begin();
  reg_.insert_revision(id, revision(1, {"bb"}));
  EXPECT_THROW(reg_.insert_revision(id, revision(1, {"cc"})), StorageError);
}

TEST_F(RegisterTest, DuplicateOfTheLatestRevisionButNotOfAnEarlierOne) {
  const auto number = register_one("alice@member.test", {"aa"});
  const auto id = id_of(reg_, number);
  auto transaction = reg_.begin();
  reg_.insert_revision(id, revision(1, {"bb"}));
  reg_.insert_revision(id, revision(2, {"cc"}));
  EXPECT_EQ(reg_.find_duplicate("Alice@Member.test", {"cc"}), number);  // latest revision
  EXPECT_EQ(reg_.find_duplicate("alice@member.test", {"aa"}), number);  // the original
  EXPECT_FALSE(reg_.find_duplicate("alice@member.test", {"bb"}));       // superseded
  EXPECT_FALSE(reg_.find_duplicate("bob@member.test", {"cc"}));         // another sender
}

TEST_F(RegisterTest, RevisionRepliesAreKeptApartFromTheOriginals) {
  const auto number = register_one("alice@member.test", {"aa"});
  const auto id = id_of(reg_, number);
  auto transaction = reg_.begin();
  reg_.queue_reply(id, number, ReplyKind::ack, ReplyState::queued, "", "alice@member.test", "",
                   kReply, utc(2020, 7, 20, 8));
  reg_.insert_revision(id, revision(1, {"bb"}));
  reg_.queue_reply(id, number, ReplyKind::late, ReplyState::withheld, "rate", "alice@member.test",
                   "", "Message-ID: <ack-2@itu.test>\r\n\r\nx", utc(2020, 7, 23), 1);
  transaction.commit();
  const auto found = reg_.find(number);
  ASSERT_EQ(found->replies.size(), 1u);
  EXPECT_EQ(found->replies[0].kind, ReplyKind::ack);
  ASSERT_EQ(found->revisions[0].replies.size(), 1u);
  EXPECT_EQ(found->revisions[0].replies[0].kind, ReplyKind::late);
  EXPECT_EQ(found->revisions[0].replies[0].state, ReplyState::withheld);
}

TEST_F(RegisterTest, AnAnswerToOurReplyFindsItsContribution) {
  const auto number = register_one("alice@member.test", {"aa"});
  auto transaction = reg_.begin();
  reg_.queue_reply(id_of(reg_, number), number, ReplyKind::ack, ReplyState::sent, "",
                   "alice@member.test", "", kReply, utc(2020, 7, 20, 8));
  EXPECT_EQ(reg_.document_replied_to({"<other@x>", "<ack-1@itu.test>"}), number);
  EXPECT_FALSE(reg_.document_replied_to({"<other@x>"}));
  EXPECT_FALSE(reg_.document_replied_to({}));
}

TEST_F(RegisterTest, DocumentFactsAreStoredWithTheContributionAndReplaced) {
  auto transaction = reg_.begin();
  const auto number = reg_.next_document_number("QIT4N-I-", 1);
  auto c = contribution(number, "alice@member.test", {"aa"});
  c.document.title = "Key relay in QKD networks";
  c.document.source = "Alice Labs";
  c.document.contacts = {{"Alice", "Alice Labs", "Switzerland", "alice@member.test"},
                         {"Zoë \"Z\" Ünal", "Uni", "Türkiye", "zoe@uni.test"}};
  c.document.template_use = TemplateUse::itu;
  const auto id = reg_.insert_contribution(c);
  transaction.commit();

  auto found = reg_.find(number);
  EXPECT_EQ(found->document.title, "Key relay in QKD networks");
  EXPECT_EQ(found->document.source, "Alice Labs");
  EXPECT_FALSE(found->document.purpose);
  ASSERT_EQ(found->document.contacts.size(), 2u);
  EXPECT_EQ(found->document.contacts[1].name, "Zoë \"Z\" Ünal");
  EXPECT_EQ(found->document.contacts[1].country, "Türkiye");
  EXPECT_EQ(found->document.template_use, TemplateUse::itu);

  DocumentFacts revised;
  revised.title = "Key relay, revised";
  revised.template_use = TemplateUse::itu;
  auto again = reg_.begin();
  reg_.set_document_facts(id, revised);
  again.commit();
  found = reg_.find(number);
  EXPECT_EQ(found->document.title, "Key relay, revised");
  EXPECT_FALSE(found->document.source);
  EXPECT_TRUE(found->document.contacts.empty());
}

TEST_F(RegisterTest, WithoutDocumentFactsTheFieldsAreNull) {
  const auto found = reg_.find(register_one("alice@member.test", {"aa"}));
  EXPECT_FALSE(found->document.title);
  EXPECT_FALSE(found->document.template_use);
  EXPECT_TRUE(found->document.contacts.empty());
  EXPECT_TRUE(found->revisions.empty());
}

TEST(RegisterMigration, VersionTwoDatabaseGainsRevisionsAndKeepsItsContributions) {
  TempDir dir;
  const auto path = dir.path() / "v2.sqlite";
  {
    sqlite::Database db(path, sqlite::Database::Mode::read_write_create);
    db.exec(schema_migrations()[0], "create version 1");
    db.exec(schema_migrations()[1], "create version 2");
    db.exec("PRAGMA user_version = 2", "version 2");
    db.exec(
        "INSERT INTO contributions (document_number, prefix, number, meeting_id, sender, "
        "subject, message_id, received_at, late, file_hashes) VALUES ('QIT4N-I-001', "
        "'QIT4N-I-', 1, 'QIT4N-05', 'alice@member.test', 'Old one', '<old@h>', "
        "'2020-07-20T08:00:00Z', 0, 'aa')",
        "an old contribution");
  }
  Register migrated = Register::open(path);
  const auto old = migrated.find(docnum("QIT4N-I-001"));
  ASSERT_TRUE(old);
  EXPECT_EQ(old->subject, "Old one");
  EXPECT_FALSE(old->document.title);
  EXPECT_TRUE(old->revisions.empty());
  auto transaction = migrated.begin();
  migrated.insert_revision(old->id, revision(1, {"bb"}));
  transaction.commit();
  EXPECT_EQ(migrated.find(docnum("QIT4N-I-001"))->revisions.size(), 1u);
}

}  // namespace
}  // namespace contribd::storage::testing
