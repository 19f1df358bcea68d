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

// The intake takes one batch apart while it registers the one before, on two threads: each
// thread with a message in hand holds a slot of its own, so that a crash is blamed on the
// message of the thread that crashed, not on whichever was named last.
struct Slot {
  std::array<char, kLineBytes> line{};
  std::atomic<std::size_t> length{0};
  std::atomic<bool> taken{false};
};
constexpr int kSlots = 4;
std::array<Slot, kSlots> slots;
std::atomic<int> last_named{-1};  // for a signal on a thread with no message in hand
thread_local int own_slot = -1;   // an int: read by the handler without TLS initialisation
int marker_fd = -1;

// A free slot for this thread; the first one when all are taken (more threads with a message
// in hand than slots: the last call wins, as it did with one).
int claim_slot() {
  for (int index = 0; index < kSlots; ++index) {
    bool expected = false;
    if (slots[index].taken.compare_exchange_strong(expected, true)) return index;
  }
  return 0;
}

// The slot whose line the handler writes: the crashing thread's, or else the last one named,
// or else any thread's.
const Slot* slot_to_blame() {
  if (own_slot >= 0 && slots[own_slot].length.load(std::memory_order_acquire) > 0) {
    return &slots[own_slot];
  }
  const int last = last_named.load(std::memory_order_acquire);
  if (last >= 0 && slots[last].length.load(std::memory_order_acquire) > 0) return &slots[last];
  for (const Slot& slot : slots) {
    if (slot.length.load(std::memory_order_acquire) > 0) return &slot;
  }
  return nullptr;
}

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
  const Slot* blamed = slot_to_blame();
  const std::size_t length = blamed ? blamed->length.load(std::memory_order_acquire) : 0;
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
    write_all(marker_fd, blamed->line.data(), length);
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
  if (own_slot >= 0) slots[own_slot].length.store(0, std::memory_order_release);
  if (!key) {
    if (own_slot >= 0) {
      slots[own_slot].taken.store(false, std::memory_order_release);
      own_slot = -1;
    }
    return;
  }
  const std::string line = fmt::format("{} {} {}\n", key->uidvalidity, key->uid, key->mailbox);
  if (line.size() > kLineBytes) return;
  if (own_slot < 0) own_slot = claim_slot();
  Slot& slot = slots[own_slot];
  std::memcpy(slot.line.data(), line.data(), line.size());
  slot.length.store(line.size(), std::memory_order_release);
  last_named.store(own_slot, std::memory_order_release);
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
