// Telling systemd (Type=notify) what the daemon is doing: ready, reloading, stopping, a status
// line for `systemctl status`, and the watchdog keep-alive. Every call is a no-op returning
// false when NOTIFY_SOCKET is unset (started by hand, in tests, under another supervisor), and
// none throws: a lost notification must never stop the daemon.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace contribd::notify {

// READY=1: start-up is complete (the mailbox is open); systemd now reports the unit active.
bool ready();

// RELOADING=1: SIGHUP is being handled; call ready() when the reload is done or abandoned.
bool reloading();

// STOPPING=1: a stop signal was received and the daemon is shutting down.
bool stopping();

// STATUS=<text>, shown by `systemctl status`. The text is passed through status_line() first,
// so that text coming from a server cannot add assignments of its own.
bool status(std::string_view text);

// WATCHDOG=1: the keep-alive that WatchdogSec= expects at least once per interval.
bool watchdog_ping();

// The WatchdogSec= interval when systemd enabled the watchdog for this very process
// (WATCHDOG_USEC set, and WATCHDOG_PID unset or ours); nullopt otherwise.
std::optional<std::chrono::microseconds> watchdog_interval();

// One line fit for STATUS=: control characters (newlines included) become spaces, bytes that
// are not UTF-8 become '?' (systemd drops a status that is not valid UTF-8), and the line is
// cut at kMaxStatusBytes on a character boundary. Never fails.
constexpr std::size_t kMaxStatusBytes = 1024;
std::string status_line(std::string_view text);

// The intake's progress, as the watchdog sees it: each thread that works on a batch (taking
// it apart, registering it) says when it starts, after each message it settles, and when it is
// done; a finish without a start is ignored. Any thread.
void work_started();
void work_progressed();
void work_finished();
// True while a batch is in hand and no thread reported progress for longer than `stall_limit`.
// One thread stalled while the other goes on is seen once the other runs out of batches (the
// fetch waits for the stalled one's batch to settle, so that happens within two batches).
bool work_stalled(std::chrono::steady_clock::duration stall_limit);

// Pings the watchdog at half its interval until cancelled; returns at once when the watchdog
// is off. Run it on the io_context that does the work: when that loop stalls, the pings stop
// and systemd restarts the service (Restart=on-failure). The pings also stop while the intake
// makes no progress for `stall_limit` (one message's time budget and then some): a hang that
// the extraction process's limits did not catch is then a restart too.
boost::asio::awaitable<void> keep_watchdog_fed(std::chrono::steady_clock::duration stall_limit);

}  // namespace contribd::notify
