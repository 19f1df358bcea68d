// Publishing a real register in a temporary folder: the layout, files linked not copied, nothing
// rewritten when nothing changed, a withdrawal rewrites the pages, and a copy across file
// systems.
#include "daemon/publish/publish_site.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "daemon/publish/site_files.h"
#include "publish_fixture.h"
#include "storage/file_store.h"

namespace contribd::publish::testing {
namespace {

namespace fs = std::filesystem;
using storage::testing::read_file;
using storage::testing::TempDir;

class PublishSite : public storage::testing::RegisterTest {
 protected:
  PublishSite() {
    config_.publish.dir = dir_.path() / "public";
    config_.meetings.push_back(fifth_meeting());
    Meeting sixth = fifth_meeting();
    sixth.id = "QIT4N-06";
    sixth.deadline += std::chrono::hours(24 * 90);
    sixth.closes += std::chrono::hours(24 * 90);
    config_.meetings.push_back(sixth);
  }

  // Stores the files and registers a contribution with them, as the intake does.
  storage::DocumentNumber register_with_files(
      const std::string& subject, const std::vector<std::pair<std::string, std::string>>& files) {
    auto transaction = reg_.begin();
    storage::Contribution c = ordinary();
    c.document_number = reg_.next_document_number("QIT4N-I-", 1);
    c.subject = subject;
    c.document = {};
    std::vector<storage::NewFile> new_files;
    for (const auto& [name, data] : files) {
      new_files.push_back({name, "application/pdf", data, std::string(64, 'b')});
    }
    c.files = store_.store("QIT4N-05", c.document_number, new_files);
    reg_.insert_contribution(c);
    transaction.commit();
    return c.document_number;
  }

  fs::path published(const std::string& relative) const { return config_.publish.dir / relative; }

  Config config_;
  storage::FileStore store_{dir_.path() / "files"};
};

TEST_F(PublishSite, WritesEveryMeetingsListAndLinksTheFiles) {
  const auto number = register_with_files("Clause 7", {{"clause 7.pdf", "%PDF-1.7 seven"}});
  const PublishReport report = publish_site(config_, reg_);
  EXPECT_EQ(report.meetings, 2);
  EXPECT_EQ(report.contributions, 1);
  EXPECT_EQ(report.files_placed, 1);
  EXPECT_TRUE(report.file_problems.empty());
  for (const char* page :
       {"index.html", "QIT4N-05/index.html", "QIT4N-05/documents.csv", "QIT4N-05/documents.json",
        "QIT4N-05/timeline.svg", "QIT4N-06/index.html", "QIT4N-06/documents.csv"}) {
    EXPECT_TRUE(fs::is_regular_file(published(page))) << page;
  }
  const fs::path file = published("QIT4N-05/files/" + number.text() + "/clause 7.pdf");
  EXPECT_EQ(read_file(file), "%PDF-1.7 seven");
  EXPECT_TRUE(fs::equivalent(file, dir_.path() / "files/QIT4N-05" / number.text() / "clause 7.pdf"))
      << "a hard link, not a copy";
  struct stat status {};
  ASSERT_EQ(::stat(file.c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0444, 0444u) << "readable by the web server";
  ASSERT_EQ(::stat(published("QIT4N-05/files").c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777, 0755u);
  EXPECT_NE(read_file(published("QIT4N-05/index.html"))
                .find("files/" + number.text() + "/clause%207.pdf"),
            std::string::npos);
}

TEST_F(PublishSite, NothingChangedNothingWritten) {
  register_with_files("Clause 7", {{"a.pdf", "a"}});
  publish_site(config_, reg_);
  const auto written_at = fs::last_write_time(published("QIT4N-05/index.html"));
  const PublishReport again = publish_site(config_, reg_);
  EXPECT_EQ(again.pages_written, 0);
  EXPECT_EQ(again.files_placed, 0);
  EXPECT_EQ(fs::last_write_time(published("QIT4N-05/index.html")), written_at);
}

TEST_F(PublishSite, AWithdrawalRewritesTheMeetingsPagesOnly) {
  const auto number = register_with_files("Clause 7", {{"a.pdf", "a"}});
  publish_site(config_, reg_);
  {
    auto transaction = reg_.begin();
    reg_.withdraw(number, "sent by mistake", utc(2020, 7, 24, 8));
    transaction.commit();
  }
  const PublishReport report = publish_site(config_, reg_);
  // The meeting's page, CSV, JSON and timeline, and the index (its withdrawn count).
  EXPECT_EQ(report.pages_written, 5);
  EXPECT_NE(read_file(published("QIT4N-05/index.html")).find("class=\"contribution withdrawn\""),
            std::string::npos);
  EXPECT_TRUE(fs::exists(published("QIT4N-05/files/" + number.text() + "/a.pdf")))
      << "still listed";
}

TEST_F(PublishSite, NoTemporaryFilesLeftAndStaleOnesRemoved) {
  register_with_files("Clause 7", {{"a.pdf", "a"}});
  fs::create_directories(published("QIT4N-05"));
  std::ofstream(published("QIT4N-05/.contribd-publishing-XYZ123")) << "half";
  publish_site(config_, reg_);
  for (const auto& entry : fs::recursive_directory_iterator(config_.publish.dir)) {
    EXPECT_FALSE(entry.path().filename().string().starts_with(".contribd-publishing-"))
        << entry.path();
  }
}

TEST_F(PublishSite, AMissingStoredFileIsReportedTheRestPublished) {
  const auto gone = register_with_files("Gone", {{"gone.pdf", "x"}});
  register_with_files("Kept", {{"kept.pdf", "y"}});
  fs::remove(dir_.path() / "files/QIT4N-05" / gone.text() / "gone.pdf");
  const PublishReport report = publish_site(config_, reg_);
  ASSERT_EQ(report.file_problems.size(), 1u);
  EXPECT_NE(report.file_problems[0].find("gone.pdf"), std::string::npos);
  EXPECT_EQ(report.files_placed, 1);
  EXPECT_NE(read_file(published("QIT4N-05/index.html")).find("Kept"), std::string::npos);
}

TEST_F(PublishSite, WithoutADirThereIsNothingToDo) {
  config_.publish.dir.clear();
  EXPECT_THROW(publish_site(config_, reg_), std::invalid_argument);
}

TEST(PublishSiteFiles, ACopyWhenTheFileSystemsDiffer) {
  TempDir stored_dir;
  const fs::path shm = "/dev/shm";
  struct stat a {
  }, b{};
  if (::stat(stored_dir.path().c_str(), &a) != 0 || ::stat(shm.c_str(), &b) != 0 ||
      a.st_dev == b.st_dev) {
    GTEST_SKIP() << "needs /dev/shm on another file system than the temporary folder";
  }
  const fs::path source = stored_dir.path() / "report.pdf";
  std::ofstream(source) << "stored bytes";
  ::chmod(source.c_str(), 0640);
  const fs::path target_dir = shm / ("contribd-publish-test-" + std::to_string(::getpid()));
  make_folders(target_dir);
  EXPECT_EQ(place_file(source, target_dir / "report.pdf", 12), Placed::copied);
  EXPECT_EQ(read_file(target_dir / "report.pdf"), "stored bytes");
  struct stat copy {};
  ASSERT_EQ(::stat((target_dir / "report.pdf").c_str(), &copy), 0);
  EXPECT_EQ(copy.st_mode & 0777, 0644u);
  EXPECT_EQ(place_file(source, target_dir / "report.pdf", 12), Placed::present);
  fs::remove_all(target_dir);
}

TEST(PublishSiteFiles, WriteIfChangedReplacesWholeFiles) {
  TempDir dir;
  const fs::path page = dir.path() / "index.html";
  EXPECT_TRUE(write_if_changed(page, "one"));
  EXPECT_FALSE(write_if_changed(page, "one"));
  EXPECT_TRUE(write_if_changed(page, "two, longer"));
  EXPECT_EQ(read_file(page), "two, longer");
  struct stat status {};
  ASSERT_EQ(::stat(page.c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777, 0644u);
}

}  // namespace
}  // namespace contribd::publish::testing
