#include "daemon/intake/crash_marker.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstring>
#include <fstream>
#include <sstream>

namespace contribd::crash_marker {
namespace {

// What the handler writes: "<signal> <uidvalidity> <uid> <mailbox>\n". Prepared by
// set_current() so that the handler only copies bytes (async-signal-safe).
constexpr std::size_t kLineBytes = 512;
std::array<char, kLineBytes> current_line{};
std::atomic<std::size_t> current_length{0};
int marker_fd = -1;

constexpr std::array<int, 5> kFatalSignals{SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};

void write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t written = ::write(fd, data, size);
    if (written <= 0) return;
    data += written;
    size -= static_cast<std::size_t>(written);
  }
}

void on_fatal_signal(int number) {
  const std::size_t length = current_length.load(std::memory_order_acquire);
  if (marker_fd >= 0 && length > 0) {
    char prefix[16];
    std::size_t used = 0;
    // The signal number in decimal, by hand: snprintf is not async-signal-safe.
    char digits[8];
    std::size_t count = 0;
    for (int value = number; value > 0 && count < sizeof(digits); value /= 10) {
      digits[count++] = static_cast<char>('0' + value % 10);
    }
    while (count > 0) prefix[used++] = digits[--count];
    prefix[used++] = ' ';
    // A dying process can do nothing about a failure; the line written next starts the file
    // either way, and take() reads only that line.
    if (::ftruncate(marker_fd, 0) != 0) {
    }
    ::lseek(marker_fd, 0, SEEK_SET);
    write_all(marker_fd, prefix, used);
    write_all(marker_fd, current_line.data(), length);
    ::fsync(marker_fd);
  }
  // SA_RESETHAND restored the default action: die of the same signal, core and all.
  ::raise(number);
}

}  // namespace

void install(const std::filesystem::path& file) {
  marker_fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (marker_fd < 0) return;  // without the mark a crash only costs a retry
  struct sigaction action {};
  action.sa_handler = on_fatal_signal;
  action.sa_flags = SA_RESETHAND | SA_NODEFER;
  sigemptyset(&action.sa_mask);
  for (int number : kFatalSignals) ::sigaction(number, &action, nullptr);
}

void set_current(const std::optional<storage::MessageKey>& key) {
  current_length.store(0, std::memory_order_release);
  if (!key) return;
  const std::string line = fmt::format("{} {} {}\n", key->uidvalidity, key->uid, key->mailbox);
  if (line.size() > kLineBytes) return;
  std::memcpy(current_line.data(), line.data(), line.size());
  current_length.store(line.size(), std::memory_order_release);
}

std::optional<Crash> take(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return std::nullopt;
  std::string line;
  std::getline(in, line);
  in.close();
  std::error_code ignored;
  // Emptied, not removed: install() keeps writing to the same file.
  std::filesystem::resize_file(file, 0, ignored);
  std::istringstream fields(line);
  Crash crash;
  if (!(fields >> crash.signal_number >> crash.key.uidvalidity >> crash.key.uid)) {
    return std::nullopt;
  }
  fields >> std::ws;
  std::getline(fields, crash.key.mailbox);
  if (crash.key.mailbox.empty()) return std::nullopt;
  return crash;
}

}  // namespace contribd::crash_marker
