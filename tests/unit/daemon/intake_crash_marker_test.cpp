// The crash marker: a child process installs the handler, names a message and dies of a fatal
// signal; the parent reads what the handler left behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "daemon/intake/crash_marker.h"

namespace contribd {
namespace {

namespace fs = std::filesystem;

class CrashMarkerTest : public ::testing::Test {
 protected:
  CrashMarkerTest()
      : file_(fs::path(::testing::TempDir()) /
              ("contribd-crash-" + std::to_string(::getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    fs::remove(file_);
  }
  ~CrashMarkerTest() override { fs::remove(file_); }

  // Runs install() and set_current(key) in a child that then raises `signal_number`; returns
  // the signal the child died of (0 when it did not die of one).
  int crash_in_child(const std::optional<storage::MessageKey>& key, int signal_number) {
    const pid_t child = ::fork();
    if (child == 0) {
      const rlimit no_core{0, 0};
      ::setrlimit(RLIMIT_CORE, &no_core);
      crash_marker::install(file_);
      crash_marker::set_current(storage::MessageKey{"INBOX", 1, 1});
      crash_marker::set_current(key);  // the last call wins
      ::raise(signal_number);
      ::_exit(0);
    }
    int status = 0;
    EXPECT_EQ(::waitpid(child, &status, 0), child);
    return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  }

  fs::path file_;
};

TEST_F(CrashMarkerTest, SegfaultLeavesTheMessageInHandAndTheSignal) {
  const storage::MessageKey key{"Contributions 2025", 1717171717, 4242};
  EXPECT_EQ(crash_in_child(key, SIGSEGV), SIGSEGV) << "the handler dies of the same signal";
  const auto crash = crash_marker::take(file_);
  ASSERT_TRUE(crash);
  EXPECT_EQ(crash->signal_number, 11);
  EXPECT_EQ(crash->key.mailbox, "Contributions 2025");
  EXPECT_EQ(crash->key.uidvalidity, 1717171717u);
  EXPECT_EQ(crash->key.uid, 4242u);
  // Taken once: the file is emptied, not removed (a running daemon keeps writing to it).
  EXPECT_TRUE(fs::exists(file_));
  EXPECT_EQ(fs::file_size(file_), 0u);
  EXPECT_EQ(crash_marker::take(file_), std::nullopt);
}

TEST_F(CrashMarkerTest, AbortIsRecordedToo) {
  const storage::MessageKey key{"INBOX", 7, 99};
  EXPECT_EQ(crash_in_child(key, SIGABRT), SIGABRT);
  const auto crash = crash_marker::take(file_);
  ASSERT_TRUE(crash);
  EXPECT_EQ(crash->signal_number, SIGABRT);
  EXPECT_EQ(crash->key.mailbox, "INBOX");
  EXPECT_EQ(crash->key.uid, 99u);
}

TEST_F(CrashMarkerTest, CrashWithNoMessageInHandLeavesNoMark) {
  EXPECT_EQ(crash_in_child(std::nullopt, SIGSEGV), SIGSEGV);
  EXPECT_EQ(crash_marker::take(file_), std::nullopt);
}

TEST_F(CrashMarkerTest, MissingOrGarbledFileGivesNothing) {
  EXPECT_EQ(crash_marker::take(file_), std::nullopt);
  for (const char* garbage :
       {"garbage\n", "11 notanumber 5 INBOX\n", "11 5 6\n", "11 5\n", "\n", "\x01\x02\x03"}) {
    std::ofstream(file_) << garbage;
    EXPECT_EQ(crash_marker::take(file_), std::nullopt) << garbage;
    EXPECT_EQ(fs::file_size(file_), 0u) << "taken, even when unreadable: " << garbage;
  }
}

}  // namespace
}  // namespace contribd
