// The service's own configuration key: [imap] idle_refresh_seconds.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "daemon/config.h"

namespace contribd {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class IdleRefreshSetting : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = fs::temp_directory_path() /
              ("contribd-service-config-" + std::to_string(::getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(folder_);
    std::ofstream(folder_ / "password") << "secret\n";
  }
  void TearDown() override { fs::remove_all(folder_); }

  fs::path write(const std::string& imap_extra) {
    const fs::path file = folder_ / "contribd.toml";
    std::ofstream(file) << "[imap]\nhost = \"imap.test\"\nusername = \"u\"\n"
                           "password_file = \"password\"\n"
                        << imap_extra
                        << "\n[smtp]\nhost = \"smtp.test\"\nusername = \"u\"\n"
                           "password_file = \"password\"\nfrom = \"s@itu.test\"\n"
                           "[storage]\ndatabase = \"db\"\nfiles_dir = \"files\"\n"
                           "[[meeting]]\nid = \"M\"\ndeadline = \"2020-07-22T23:59:59+02:00\"\n"
                           "closes = \"2020-08-07T23:59:59+02:00\"\ndocument_prefix = \"M-\"\n";
    return file;
  }

  fs::path folder_;
};

TEST_F(IdleRefreshSetting, DefaultsToFiveMinutes) {
  EXPECT_EQ(load_config(write("")).imap.idle_refresh_seconds, 300);
}

TEST_F(IdleRefreshSetting, IsReadAndShownByDescribe) {
  const Config config = load_config(write("idle_refresh_seconds = 120\n"));
  EXPECT_EQ(config.imap.idle_refresh_seconds, 120);
  EXPECT_THAT(describe(config), HasSubstr("renewed every 120 s"));
}

TEST_F(IdleRefreshSetting, AboveRfc2177sLimitIsAnErrorNamingTheKey) {
  try {
    load_config(write("idle_refresh_seconds = 1800\n"));
    FAIL() << "no ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_THAT(error.what(), HasSubstr("imap.idle_refresh_seconds: must be between 5 and 1740"));
  }
}

}  // namespace
}  // namespace contribd
