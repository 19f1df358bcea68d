#include "daemon/config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "daemon/policy/deadline.h"

namespace contribd {
namespace {

namespace fs = std::filesystem;

// A folder with a password file and a config written from a template.
class ConfigFile : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = fs::temp_directory_path() /
              ("contribd-config-" + std::to_string(::getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(folder_);
    write("imap.password", "secret\n");
  }
  void TearDown() override { fs::remove_all(folder_); }

  void write(const std::string& name, const std::string& text) {
    std::ofstream(folder_ / name) << text;
  }

  static std::string valid(const std::string& imap_extra = "", const std::string& tail = "") {
    return R"([imap]
host = "imap.example.org"
username = "tsbfgqit4n"
password_file = "imap.password"
)" + imap_extra +
           R"(
[smtp]
host = "smtp.example.org"
username = "tsbfgqit4n"
password_file = "imap.password"
from = "tsbfgqit4n@itu.int"

[storage]
database = "state/contribd.sqlite"
files_dir = "/var/lib/contribd/files"

[[meeting]]
id = "QIT4N-06"
deadline = "2020-10-20T23:59:59+02:00"
closes = "2020-10-30T23:59:59+01:00"
document_prefix = "QIT4N-I-"

[[meeting]]
id = "QIT4N-05"
deadline = "2020-07-22T23:59:59+02:00"
closes = "2020-08-07T23:59:59+02:00"
document_prefix = "QIT4N-I-"
first_number = 1
)" + tail;
  }

  Config load(const std::string& text) {
    write("contribd.toml", text);
    return load_config(folder_ / "contribd.toml");
  }

  std::string error_of(const std::string& text) {
    try {
      load(text);
    } catch (const ConfigError& error) {
      return error.what();
    }
    return "no error";
  }

  fs::path folder_;
};

TEST_F(ConfigFile, ReadsDefaultsAndResolvesRelativePaths) {
  const Config config = load(valid());
  EXPECT_EQ(config.imap.endpoint.port, 993);
  EXPECT_EQ(config.imap.endpoint.security, net::Security::tls);
  EXPECT_EQ(config.smtp.endpoint.port, 587);
  EXPECT_EQ(config.smtp.endpoint.security, net::Security::starttls);
  EXPECT_EQ(config.imap.processed_folder, "Registered");
  EXPECT_EQ(config.storage.database, folder_ / "state/contribd.sqlite");
  EXPECT_EQ(config.imap.password_file, folder_ / "imap.password");
  EXPECT_EQ(config.replies.max_per_sender_per_hour, 10);
}

TEST_F(ConfigFile, SortsMeetingsByClosingTime) {
  const Config config = load(valid());
  ASSERT_EQ(config.meetings.size(), 2u);
  EXPECT_EQ(config.meetings[0].id, "QIT4N-05");
  EXPECT_EQ(policy::rfc3339(config.meetings[0].deadline), "2020-07-22T21:59:59Z");
  EXPECT_EQ(config.meetings[1].id, "QIT4N-06");
}

TEST_F(ConfigFile, UnknownKeyNamesFileAndKey) {
  const std::string error = error_of(valid("colour = \"blue\"\n"));
  EXPECT_NE(error.find("contribd.toml: imap.colour: unknown key"), std::string::npos) << error;
}

TEST_F(ConfigFile, PlaintextIsRefused) {
  const std::string error = error_of(valid("security = \"none\"\n"));
  EXPECT_NE(error.find("imap.security"), std::string::npos) << error;
  EXPECT_NE(error.find("plaintext is refused"), std::string::npos) << error;
}

TEST_F(ConfigFile, UnreadablePasswordFileNamesKeyAndPath) {
  std::string text = valid();
  text.replace(text.find("password_file = \"imap.password\""), 31,
               "password_file = \"missing.password\"");
  const std::string error = error_of(text);
  EXPECT_NE(error.find("imap.password_file"), std::string::npos) << error;
  EXPECT_NE(error.find("missing.password"), std::string::npos) << error;
}

TEST_F(ConfigFile, SyntaxErrorGivesLineAndColumn) {
  const std::string error = error_of("[imap\nhost = 1\n");
  EXPECT_NE(error.find("contribd.toml:1:"), std::string::npos) << error;
}

TEST_F(ConfigFile, BadDeadlineNamesMeetingKey) {
  std::string text = valid();
  text.replace(text.find("2020-07-22T23:59:59+02:00"), 25, "22 July 2020");
  const std::string error = error_of(text);
  EXPECT_NE(error.find("meeting[1].deadline"), std::string::npos) << error;
}

TEST_F(ConfigFile, DuplicateMeetingIdIsAnError) {
  std::string text = valid();
  text.replace(text.find("QIT4N-06"), 8, "QIT4N-05");
  EXPECT_NE(error_of(text).find("used by another meeting"), std::string::npos);
}

TEST_F(ConfigFile, SecretLosesTrailingNewlineAndEmptyIsAnError) {
  EXPECT_EQ(read_secret(folder_ / "imap.password", "imap.password_file"), "secret");
  write("empty.password", "\n");
  EXPECT_THROW(read_secret(folder_ / "empty.password", "smtp.password_file"), ConfigError);
}

}  // namespace
}  // namespace contribd
