// A file already written to the spool folder is moved into place, not copied: same name
// rules, same mode, its size taken from the file.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "docnum.h"
#include "storage/file_store.h"
#include "temp_dir.h"

namespace contribd::storage::testing {
namespace {

namespace fs = std::filesystem;

class SpooledFileStoreTest : public ::testing::Test {
 protected:
  SpooledFileStoreTest() { fs::create_directories(spool()); }
  fs::path files_dir() const { return dir_.path() / "files"; }
  fs::path spool() const { return files_dir() / ".contribd-spool"; }

  NewFile spooled(std::string name, const std::string& bytes, const std::string& part) {
    const fs::path path = spool() / part;
    std::ofstream(path, std::ios::binary) << bytes;
    NewFile file{std::move(name), "application/pdf", {}, "sha", {}};
    file.spooled_path = path.string();
    return file;
  }

  TempDir dir_;
  FileStore store_{files_dir()};
};

TEST_F(SpooledFileStoreTest, MovesTheSpooledFileIntoPlace) {
  const std::string bytes("%PDF-1.7\n\0\xff spooled", 19);
  const auto stored =
      store_.store("QIT4N-05", docnum("QIT4N-I-007"), {spooled("../report.pdf", bytes, "part-1")});
  ASSERT_EQ(stored.size(), 1u);
  const fs::path target(stored[0].path);
  EXPECT_EQ(target.parent_path(), files_dir() / "QIT4N-05" / "QIT4N-I-007");
  EXPECT_EQ(read_file(target), bytes);
  EXPECT_EQ(stored[0].size, bytes.size());
  EXPECT_EQ(stored[0].filename, "../report.pdf");
  EXPECT_FALSE(fs::exists(spool() / "part-1"));
  struct stat status {};
  ASSERT_EQ(::stat(target.c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777, 0640u);
}

TEST_F(SpooledFileStoreTest, SpooledAndInMemoryFilesShareTheNameRules) {
  NewFile in_memory{"a.pdf", "application/pdf", "memory", "sha", {}};
  const auto stored = store_.store("QIT4N-05", docnum("QIT4N-I-008"),
                                   {in_memory, spooled("A.pdf", "spooled", "part-2")});
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(fs::path(stored[0].path).filename(), "a.pdf");
  EXPECT_EQ(fs::path(stored[1].path).filename(), "A (2).pdf");
  EXPECT_EQ(read_file(stored[0].path), "memory");
  EXPECT_EQ(read_file(stored[1].path), "spooled");
}

TEST_F(SpooledFileStoreTest, MissingSpooledFileIsAnErrorNamingIt) {
  NewFile file{"a.pdf", "application/pdf", {}, "sha", (spool() / "part-gone").string()};
  try {
    store_.store("QIT4N-05", docnum("QIT4N-I-009"), {file});
    ADD_FAILURE() << "no error";
  } catch (const StorageError& error) {
    EXPECT_NE(std::string(error.what()).find("part-gone"), std::string::npos) << error.what();
  }
}

TEST_F(SpooledFileStoreTest, DeferredFilesAppearOnlyWhenSynced) {
  NewFile in_memory{"a.pdf", "application/pdf", "memory", "sha", {}};
  const auto stored = store_.store_deferred("QIT4N-05", docnum("QIT4N-I-010"),
                                            {in_memory, spooled("b.pdf", "spooled", "part-3")});
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[1].size, 7u);
  EXPECT_FALSE(fs::exists(stored[0].path));
  EXPECT_FALSE(fs::exists(stored[1].path));
  store_.sync_deferred();
  EXPECT_EQ(read_file(stored[0].path), "memory");
  EXPECT_EQ(read_file(stored[1].path), "spooled");
  const fs::path folder = fs::path(stored[0].path).parent_path();
  EXPECT_EQ(std::distance(fs::directory_iterator(folder), fs::directory_iterator()), 2);
}

TEST_F(SpooledFileStoreTest, DroppedDeferredFilesLeaveNothingButTheSpoolFile) {
  NewFile in_memory{"a.pdf", "application/pdf", "memory", "sha", {}};
  const auto stored = store_.store_deferred("QIT4N-05", docnum("QIT4N-I-011"),
                                            {in_memory, spooled("b.pdf", "spooled", "part-4")});
  store_.drop_deferred();
  store_.sync_deferred();  // nothing left to do
  const fs::path folder = fs::path(stored[0].path).parent_path();
  EXPECT_TRUE(fs::is_empty(folder));
  EXPECT_TRUE(fs::exists(spool() / "part-4"));  // its owner removes it
}

}  // namespace
}  // namespace contribd::storage::testing
