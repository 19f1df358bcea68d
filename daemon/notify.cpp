#include "daemon/notify.h"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdint>

#include "parsers/utf8.h"

namespace contribd::notify {
namespace {

// sd_notify answers > 0 when the datagram was sent, 0 without NOTIFY_SOCKET, < 0 on error.
// The environment is kept (unset_environment = 0) because the daemon notifies all its life.
bool send(const std::string& assignment) {
  return sd_notify(0, assignment.c_str()) > 0;
}

}  // namespace

bool ready() {
  return send("READY=1");
}

bool reloading() {
  return send("RELOADING=1");
}

bool stopping() {
  return send("STOPPING=1");
}

bool status(std::string_view text) {
  return send("STATUS=" + status_line(text));
}

bool watchdog_ping() {
  return send("WATCHDOG=1");
}

std::optional<std::chrono::microseconds> watchdog_interval() {
  std::uint64_t microseconds = 0;
  if (sd_watchdog_enabled(0, &microseconds) <= 0 || microseconds == 0) return std::nullopt;
  return std::chrono::microseconds(microseconds);
}

std::string status_line(std::string_view text) {
  std::string line;
  line.reserve(std::min(text.size(), kMaxStatusBytes));
  while (!text.empty()) {
    const std::size_t length = utf8_sequence_length(text);
    // Each input byte gives one output byte, or a character is copied whole: the cut below
    // never splits a character.
    const std::size_t consumed = std::max<std::size_t>(length, 1);
    if (line.size() + consumed > kMaxStatusBytes) break;
    const auto lead = static_cast<unsigned char>(text.front());
    if (length == 0) {
      line += '?';
    } else if (lead < 0x20 || lead == 0x7F) {
      line += ' ';
    } else {
      line.append(text.substr(0, length));
    }
    text.remove_prefix(consumed);
  }
  return line;
}

namespace {

// How many threads have a batch in hand (the intake takes one batch apart while it registers
// the one before), and the steady_clock ticks of the last progress any of them reported.
std::atomic<int> batches_in_hand{0};
std::atomic<std::int64_t> last_progress_ticks{0};

std::int64_t now_ticks() {
  return std::chrono::steady_clock::now().time_since_epoch().count();
}

}  // namespace

void work_started() {
  last_progress_ticks = now_ticks();
  ++batches_in_hand;
}

void work_progressed() {
  if (batches_in_hand > 0) last_progress_ticks = now_ticks();
}

void work_finished() {
  int in_hand = batches_in_hand.load();
  while (in_hand > 0 && !batches_in_hand.compare_exchange_weak(in_hand, in_hand - 1)) {
  }
}

bool work_stalled(std::chrono::steady_clock::duration stall_limit) {
  return batches_in_hand > 0 && now_ticks() - last_progress_ticks > stall_limit.count();
}

boost::asio::awaitable<void> keep_watchdog_fed(std::chrono::steady_clock::duration stall_limit) {
  const auto interval = watchdog_interval();
  if (!interval) co_return;
  // Half the interval, as sd_watchdog_enabled(3) advises: one late ping is not yet a restart.
  const auto period = *interval / 2;
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  bool stalled_noted = false;
  for (;;) {
    const bool stalled = work_stalled(stall_limit);
    if (stalled && !stalled_noted) {
      spdlog::error("the intake has made no progress for {} s: the watchdog is no longer fed",
                    std::chrono::duration_cast<std::chrono::seconds>(stall_limit).count());
      status("stalled: no message settled within the time budget");
    }
    stalled_noted = stalled;
    if (!stalled) watchdog_ping();
    timer.expires_after(period);
    co_await timer.async_wait(boost::asio::use_awaitable);
  }
}

}  // namespace contribd::notify
