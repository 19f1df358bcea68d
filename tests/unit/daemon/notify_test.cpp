#include "daemon/notify.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

namespace contribd::notify {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Plays the service manager: a unix datagram socket named by NOTIFY_SOCKET, as systemd sets
// it up for a Type=notify service.
class NotifySocket : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "contribd-notify-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr) << pattern;
    folder_ = pattern;
    const std::string path = (folder_ / "notify").string();
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    ASSERT_LT(path.size(), sizeof(address.sun_path)) << path;
    path.copy(address.sun_path, path.size());
    socket_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(socket_, 0);
    ASSERT_EQ(::bind(socket_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)), 0)
        << path;
    ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
  }

  void TearDown() override {
    ::unsetenv("NOTIFY_SOCKET");
    ::unsetenv("WATCHDOG_USEC");
    ::unsetenv("WATCHDOG_PID");
    if (socket_ >= 0) ::close(socket_);
    fs::remove_all(folder_);
  }

  // The next datagram, or nullopt when none arrives within `wait`.
  std::optional<std::string> receive(std::chrono::milliseconds wait = 2s) const {
    pollfd readable{socket_, POLLIN, 0};
    if (::poll(&readable, 1, static_cast<int>(wait.count())) != 1) return std::nullopt;
    std::string datagram(4096, '\0');
    const ssize_t size = ::recv(socket_, datagram.data(), datagram.size(), 0);
    if (size < 0) return std::nullopt;
    datagram.resize(static_cast<std::size_t>(size));
    return datagram;
  }

  static void enable_watchdog(std::chrono::microseconds interval, pid_t pid) {
    ::setenv("WATCHDOG_USEC", std::to_string(interval.count()).c_str(), 1);
    ::setenv("WATCHDOG_PID", std::to_string(pid).c_str(), 1);
  }

  fs::path folder_;
  int socket_ = -1;
};

TEST_F(NotifySocket, ReadyStatusAndWatchdogArriveInOrder) {
  EXPECT_TRUE(ready());
  EXPECT_TRUE(status("watching INBOX, 7 contributions registered"));
  EXPECT_TRUE(watchdog_ping());
  EXPECT_EQ(receive(), "READY=1");
  EXPECT_EQ(receive(), "STATUS=watching INBOX, 7 contributions registered");
  EXPECT_EQ(receive(), "WATCHDOG=1");
}

TEST_F(NotifySocket, ReloadingAndStoppingAreSent) {
  EXPECT_TRUE(reloading());
  EXPECT_TRUE(stopping());
  EXPECT_EQ(receive(), "RELOADING=1");
  EXPECT_EQ(receive(), "STOPPING=1");
}

TEST_F(NotifySocket, StatusTextCannotAddAssignments) {
  EXPECT_TRUE(status("imap.example.org said: bye\nREADY=1\r\nMAINPID=1"));
  EXPECT_EQ(receive(), "STATUS=imap.example.org said: bye READY=1  MAINPID=1");
  EXPECT_EQ(receive(100ms), std::nullopt);
}

TEST_F(NotifySocket, WithoutNotifySocketEveryCallIsANoOp) {
  ::unsetenv("NOTIFY_SOCKET");
  EXPECT_FALSE(ready());
  EXPECT_FALSE(reloading());
  EXPECT_FALSE(status("watching INBOX"));
  EXPECT_FALSE(watchdog_ping());
  EXPECT_FALSE(stopping());
  EXPECT_EQ(receive(100ms), std::nullopt);
}

TEST_F(NotifySocket, UnreachableSocketIsReportedNotThrown) {
  ::setenv("NOTIFY_SOCKET", (folder_ / "nobody-listens").c_str(), 1);
  EXPECT_FALSE(ready());
  EXPECT_FALSE(watchdog_ping());
}

TEST_F(NotifySocket, WatchdogIntervalIsOursOnlyWhenThePidMatches) {
  EXPECT_EQ(watchdog_interval(), std::nullopt);
  enable_watchdog(120s, ::getpid());
  EXPECT_EQ(watchdog_interval(), std::chrono::microseconds(120s));
  enable_watchdog(120s, ::getpid() + 1);
  EXPECT_EQ(watchdog_interval(), std::nullopt);
}

TEST_F(NotifySocket, KeepWatchdogFedPingsAtHalfTheInterval) {
  enable_watchdog(100ms, ::getpid());
  boost::asio::io_context io;
  boost::asio::co_spawn(io, keep_watchdog_fed(std::chrono::seconds(60)), boost::asio::detached);
  // 50 ms between pings: within 400 ms at least the first and two more, even on a busy machine.
  io.run_for(400ms);
  int pings = 0;
  while (auto datagram = receive(0ms)) {
    EXPECT_EQ(*datagram, "WATCHDOG=1");
    ++pings;
  }
  EXPECT_GE(pings, 3);
  EXPECT_LE(pings, 9);
}

TEST_F(NotifySocket, KeepWatchdogFedEndsAtOnceWhenTheWatchdogIsOff) {
  boost::asio::io_context io;
  bool finished = false;
  boost::asio::co_spawn(io, keep_watchdog_fed(std::chrono::seconds(60)),
                        [&](std::exception_ptr) { finished = true; });
  io.run_for(1s);
  EXPECT_TRUE(finished);
  EXPECT_TRUE(io.stopped());
  EXPECT_EQ(receive(0ms), std::nullopt);
}

TEST(StatusLine, KeepsPrintableUtf8) {
  EXPECT_EQ(status_line("watching INBOX, 7 contributions registered"),
            "watching INBOX, 7 contributions registered");
  EXPECT_EQ(status_line("dossier « Réception » 日本"), "dossier « Réception » 日本");
}

TEST(StatusLine, ControlCharactersBecomeSpaces) {
  EXPECT_EQ(status_line(std::string("a\nb\tc\rd\0e\x7f", 10)), "a b c d e ");
}

TEST(StatusLine, BytesThatAreNotUtf8BecomeQuestionMarks) {
  EXPECT_EQ(status_line("caf\xe9 ok"), "caf? ok");     // Latin-1
  EXPECT_EQ(status_line("\xc0\xaf"), "??");            // overlong '/'
  EXPECT_EQ(status_line("\xed\xa0\x80"), "???");       // surrogate
  EXPECT_EQ(status_line("\xf4\x90\x80\x80"), "????");  // above U+10FFFF
  EXPECT_EQ(status_line("end \xe2\x82"), "end ??");    // truncated sequence
}

TEST(StatusLine, LongTextIsCutOnACharacterBoundary) {
  const std::string text = std::string(kMaxStatusBytes - 1, 'x') + "é and more";
  const std::string line = status_line(text);
  EXPECT_EQ(line, std::string(kMaxStatusBytes - 1, 'x'));
  EXPECT_EQ(status_line(std::string(5000, 'y')).size(), kMaxStatusBytes);
}

}  // namespace
}  // namespace contribd::notify
