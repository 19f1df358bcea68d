// The crash marker: a child process installs the handler, names a message and dies of a fatal
// signal; the parent reads what the handler left behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

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

  // In a child: `other` is named on a second thread, which keeps it in hand; then `own` is
  // named on the main thread (when given), which raises `signal_number` itself, or (when
  // `on_other`) the second thread raises it. Returns the signal the child died of.
  int crash_with_two_threads(const storage::MessageKey& other,
                             const std::optional<storage::MessageKey>& own, bool on_other,
                             int signal_number) {
    const pid_t child = ::fork();
    if (child == 0) {
      const rlimit no_core{0, 0};
      ::setrlimit(RLIMIT_CORE, &no_core);
      crash_marker::install(file_);
      std::atomic<int> step{0};
      std::thread second([&] {
        crash_marker::set_current(other);
        step = 1;
        while (step != 2) std::this_thread::yield();
        if (on_other) ::raise(signal_number);
        for (;;) std::this_thread::yield();
      });
      while (step != 1) std::this_thread::yield();
      if (own) crash_marker::set_current(*own);
      step = 2;
      if (!on_other) ::raise(signal_number);
      for (;;) std::this_thread::yield();
    }
    int status = 0;
    EXPECT_EQ(::waitpid(child, &status, 0), child);
    return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  }

  fs::path file_;
};

TEST_F(CrashMarkerTest, TheCrashingThreadsMessageIsBlamedNotTheOneNamedLast) {
  const storage::MessageKey extracting{"INBOX", 7, 11};
  const storage::MessageKey registering{"INBOX", 7, 12};
  EXPECT_EQ(crash_with_two_threads(extracting, registering, true, SIGSEGV), SIGSEGV);
  const auto crash = crash_marker::take(file_);
  ASSERT_TRUE(crash);
  EXPECT_EQ(crash->key.uid, 11u) << "the second thread crashed, with UID 11 in hand";

  EXPECT_EQ(crash_with_two_threads(extracting, registering, false, SIGSEGV), SIGSEGV);
  const auto second = crash_marker::take(file_);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->key.uid, 12u) << "the main thread crashed, with UID 12 in hand";
}

TEST_F(CrashMarkerTest, ASignalOnAThreadWithNothingInHandBlamesAnotherThreadsMessage) {
  // systemd's watchdog SIGABRT arrives on whichever thread: the message in hand elsewhere is
  // the one that stalled.
  const storage::MessageKey stalled{"INBOX", 7, 13};
  EXPECT_EQ(crash_with_two_threads(stalled, std::nullopt, false, SIGABRT), SIGABRT);
  const auto crash = crash_marker::take(file_);
  ASSERT_TRUE(crash);
  EXPECT_EQ(crash->key.uid, 13u);
}

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
