#include <sqlite3.h>

#include <fstream>

#include "register_fixture.h"
#include "storage/schema.h"

namespace contribd::storage::testing {
namespace {

int user_version(const std::filesystem::path& path) {
  sqlite::Database db(path, sqlite::Database::Mode::read_only);
  return schema_version(db);
}

TEST_F(RegisterTest, OpenCreatesFoldersAndMigratesFromEmpty) {
  EXPECT_TRUE(std::filesystem::exists(database_path()));
  EXPECT_EQ(user_version(database_path()), static_cast<int>(schema_migrations().size()));
  EXPECT_TRUE(reg_.list().empty());
}

TEST_F(RegisterTest, DatabaseIsInWalMode) {
  sqlite::Database db(database_path(), sqlite::Database::Mode::read_only);
  sqlite::Statement mode(db, "PRAGMA journal_mode", "read journal mode");
  ASSERT_TRUE(mode.step());
  EXPECT_EQ(mode.text(0), "wal");
}

TEST_F(RegisterTest, ReopenKeepsDataAndSchema) {
  const auto number = register_one("alice@member.test", {"aa"});
  reg_ = Register::open(database_path());  // the old handle closes in the move
  EXPECT_EQ(user_version(database_path()), static_cast<int>(schema_migrations().size()));
  ASSERT_TRUE(reg_.find(number));
  EXPECT_EQ(reg_.find(number)->sender, "alice@member.test");
}

TEST_F(RegisterTest, NewerSchemaIsRefusedAndLeftAlone) {
  {
    sqlite::Database db(database_path(), sqlite::Database::Mode::read_write_create);
    db.exec("PRAGMA user_version = 999", "test");
  }
  try {
    Register::open(database_path());
    FAIL() << "opened a database from a newer contribd";
  } catch (const StorageError& error) {
    EXPECT_NE(std::string(error.what()).find(database_path().string()), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("999"), std::string::npos);
  }
  EXPECT_EQ(user_version(database_path()), 999);
}

TEST_F(RegisterTest, ContributionsCannotBeDeleted) {
  register_one("alice@member.test", {"aa"});
  sqlite::Database db(database_path(), sqlite::Database::Mode::read_write_create);
  EXPECT_THROW(db.exec("DELETE FROM contributions", "delete"), StorageError);
  EXPECT_EQ(reg_.list().size(), 1u);
}

TEST(RegisterOpen, UnwritableLocationNamesThePath) {
  TempDir dir;
  const auto blocker = dir.path() / "not-a-folder";
  { std::ofstream(blocker) << "x"; }
  const auto path = blocker / "contribd.sqlite";
  try {
    Register::open(path);
    FAIL() << "opened a database below a regular file";
  } catch (const StorageError& error) {
    EXPECT_NE(std::string(error.what()).find(path.string()), std::string::npos) << error.what();
  }
}

TEST(RegisterOpen, ReadOnlyNeedsAnExistingMigratedDatabase) {
  TempDir dir;
  EXPECT_THROW(Register::open_read_only(dir.path() / "missing.sqlite"), StorageError);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "missing.sqlite"));
}

TEST_F(RegisterTest, ReaderSeesCommittedWorkWhileWriterHoldsATransaction) {
  register_one("alice@member.test", {"aa"});
  auto reader = Register::open_read_only(database_path());
  auto transaction = reg_.begin();
  const auto number = reg_.next_document_number("QIT4N-I-", 1);
  reg_.insert_contribution(contribution(number, "bob@member.test", {"bb"}));
  EXPECT_EQ(reader.list().size(), 1u);  // not the uncommitted one, and no "database is locked"
  transaction.commit();
  EXPECT_EQ(reader.list().size(), 2u);
  EXPECT_THROW(
      reader.record_examined({"INBOX", 1, 1}, "", "ff", Examined{Outcome::skipped, {}, "", false}),
      StorageError);  // read-only
}

}  // namespace
}  // namespace contribd::storage::testing
