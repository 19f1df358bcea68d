#include "storage/file_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <set>
#include <sstream>

#include "docnum.h"
#include "storage/safe_filename.h"
#include "temp_dir.h"

namespace contribd::storage::testing {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> every_entry(const fs::path& root) {
  std::vector<fs::path> entries;
  for (const auto& entry : fs::recursive_directory_iterator(root)) entries.push_back(entry.path());
  return entries;
}

bool is_inside(const fs::path& path, const fs::path& root) {
  const auto relative = fs::weakly_canonical(path).lexically_relative(fs::weakly_canonical(root));
  return !relative.empty() && *relative.begin() != "..";
}

class FileStoreTest : public ::testing::Test {
 protected:
  fs::path files_dir() const { return dir_.path() / "files"; }
  NewFile file(std::string name, std::string_view data) {
    return NewFile{std::move(name), "application/pdf", data, "sha-of-" + std::string(data)};
  }

  TempDir dir_;
  FileStore store_{files_dir()};
};

TEST_F(FileStoreTest, ARevisionsFilesGoUnderItsOwnFolderBesideTheOriginals) {
  store_.store("QIT4N-05", docnum("QIT4N-I-007"), {file("report.pdf", "v1")});
  const auto now = store_.store("QIT4N-05", docnum("QIT4N-I-007"), {file("report.pdf", "v2")}, 1);
  store_.store_deferred("QIT4N-05", docnum("QIT4N-I-007"), {file("report.pdf", "v3")}, 2);
  store_.sync_deferred();
  const fs::path folder = files_dir() / "QIT4N-05" / "QIT4N-I-007";
  EXPECT_EQ(now[0].path, (folder / "rev1" / "report.pdf").string());
  std::ifstream original(folder / "report.pdf"), first(folder / "rev1" / "report.pdf"),
      second(folder / "rev2" / "report.pdf");
  std::stringstream a, b, c;
  a << original.rdbuf();
  b << first.rdbuf();
  c << second.rdbuf();
  EXPECT_EQ(a.str(), "v1");
  EXPECT_EQ(b.str(), "v2");
  EXPECT_EQ(c.str(), "v3");
}

TEST_F(FileStoreTest, WritesContentUnderMeetingAndDocumentNumber) {
  const std::string pdf("%PDF-1.7\n\0\xff binary", 19);
  const auto stored = store_.store("QIT4N-05", docnum("QIT4N-I-007"), {file("report.pdf", pdf)});
  ASSERT_EQ(stored.size(), 1u);
  const fs::path expected = files_dir() / "QIT4N-05" / "QIT4N-I-007" / "report.pdf";
  EXPECT_EQ(stored[0].path, expected.string());
  EXPECT_TRUE(fs::path(stored[0].path).is_absolute());
  EXPECT_EQ(read_file(expected), pdf);
  EXPECT_EQ(stored[0].size, pdf.size());
  EXPECT_EQ(stored[0].filename, "report.pdf");
  EXPECT_EQ(stored[0].content_type, "application/pdf");
  EXPECT_EQ(stored[0].sha256_hex, "sha-of-" + pdf);
}

TEST_F(FileStoreTest, LeavesNoTemporaryFiles) {
  store_.store("QIT4N-05", docnum("QIT4N-I-001"),
               {file("a.pdf", "A"), file("b.pdf", "B"), file("", "")});
  const auto entries = every_entry(files_dir());
  EXPECT_EQ(entries.size(), 5u);  // the two folders and three files
  for (const auto& entry : entries) {
    EXPECT_FALSE(entry.filename().string().starts_with(".")) << entry;
  }
}

TEST_F(FileStoreTest, RemovesTemporaryFilesLeftByACrash) {
  const auto folder = files_dir() / "QIT4N-05" / "QIT4N-I-001";
  fs::create_directories(folder);
  std::ofstream(folder / ".contribd-tmp-abc123") << "half a file";
  store_.store("QIT4N-05", docnum("QIT4N-I-001"), {file("a.pdf", "A")});
  EXPECT_FALSE(fs::exists(folder / ".contribd-tmp-abc123"));
  EXPECT_EQ(read_file(folder / "a.pdf"), "A");
}

TEST_F(FileStoreTest, ReplacesAFileLeftByAnUncommittedAttempt) {
  store_.store("QIT4N-05", docnum("QIT4N-I-001"), {file("a.pdf", "first attempt")});
  const auto stored = store_.store("QIT4N-05", docnum("QIT4N-I-001"), {file("a.pdf", "second")});
  EXPECT_EQ(read_file(stored[0].path), "second");
  EXPECT_TRUE(stored[0].path.ends_with("/a.pdf"));
}

TEST_F(FileStoreTest, StoredFilesAreNotWorldReadable) {
  const auto stored = store_.store("QIT4N-05", docnum("QIT4N-I-001"), {file("a.pdf", "A")});
  struct stat info {};
  ASSERT_EQ(::stat(stored[0].path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0640u);
}

TEST_F(FileStoreTest, HostileNamesStayInsideAndAreUnique) {
  std::string utf8_1000;
  for (int i = 0; i < 500; ++i) utf8_1000 += "ü";
  const std::vector<std::string> hostile = {"../../etc/passwd",
                                            "passwd",
                                            "a/b",
                                            "b",
                                            "B",
                                            std::string("nul\0byte.pdf", 12),
                                            "ctrl\x01\x1b[31m.pdf",
                                            utf8_1000,
                                            utf8_1000,
                                            "..",
                                            ".",
                                            "",
                                            "",
                                            "CON",
                                            "/absolute/path.pdf",
                                            "..\\..\\windows.ini"};
  std::vector<NewFile> files;
  for (std::size_t i = 0; i < hostile.size(); ++i) files.push_back(file(hostile[i], "x"));

  const auto stored = store_.store("QIT4N-05", docnum("QIT4N-I-013"), files);
  ASSERT_EQ(stored.size(), hostile.size());
  const fs::path folder = files_dir() / "QIT4N-05" / "QIT4N-I-013";
  std::set<std::string> lower_names;
  for (std::size_t i = 0; i < stored.size(); ++i) {
    const fs::path path = stored[i].path;
    EXPECT_EQ(path.parent_path(), folder) << hostile[i];
    EXPECT_TRUE(fs::is_regular_file(path)) << path;
    EXPECT_LE(path.filename().string().size(), max_safe_name_bytes);
    EXPECT_EQ(stored[i].filename, hostile[i]);  // the register keeps the name as sent
    std::string lower = path.filename().string();
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_TRUE(lower_names.insert(lower).second) << "not unique: " << path;
  }
  EXPECT_EQ(every_entry(folder).size(), hostile.size());
  for (const auto& entry : every_entry(dir_.path())) {
    EXPECT_TRUE(is_inside(entry, files_dir())) << entry;
  }
  EXPECT_EQ(fs::path(stored[0].path).filename(), "passwd");
  EXPECT_EQ(fs::path(stored[1].path).filename(), "passwd (2)");
}

TEST_F(FileStoreTest, HostileMeetingAndDocumentNumberStayInside) {
  // A prefix is any text, so a number can hold one that climbs out.
  const auto stored = store_.store("../../outside", docnum("../../001"), {file("x.pdf", "x")});
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_TRUE(is_inside(stored[0].path, files_dir())) << stored[0].path;
  EXPECT_FALSE(fs::exists(dir_.path() / "outside"));
  const auto slashes = store_.store("/", docnum("/001"), {file("y.pdf", "y")});
  EXPECT_TRUE(is_inside(slashes[0].path, files_dir())) << slashes[0].path;
}

TEST_F(FileStoreTest, RelativeFilesDirBecomesAbsolute) {
  FileStore relative("relative-files");
  EXPECT_TRUE(relative.files_dir().is_absolute());
  EXPECT_EQ(relative.files_dir().filename(), "relative-files");
  FileStore trailing(files_dir().string() + "/");
  EXPECT_EQ(trailing.files_dir(), files_dir());
}

TEST_F(FileStoreTest, UnwritableFolderNamesThePath) {
  std::ofstream(dir_.path() / "blocker") << "a file where a folder should be";
  FileStore blocked(dir_.path() / "blocker");
  try {
    blocked.store("QIT4N-05", docnum("QIT4N-I-001"), {file("a.pdf", "A")});
    FAIL() << "wrote below a regular file";
  } catch (const StorageError& error) {
    EXPECT_NE(std::string(error.what()).find("blocker"), std::string::npos) << error.what();
  }
}

TEST_F(FileStoreTest, EmptyListCreatesTheFolderOnly) {
  EXPECT_TRUE(store_.store("QIT4N-05", docnum("QIT4N-I-002"), {}).empty());
  EXPECT_TRUE(fs::is_directory(files_dir() / "QIT4N-05" / "QIT4N-I-002"));
}

}  // namespace
}  // namespace contribd::storage::testing
