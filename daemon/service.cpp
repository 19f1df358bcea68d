#include "daemon/service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <iostream>
#include <random>

#include "daemon/auth/sign_in.h"
#include "daemon/config.h"
#include "daemon/imap/folder_placement.h"
#include "daemon/imap/imap_session.h"
#include "daemon/intake/crash_marker.h"
#include "daemon/intake/extraction_jail.h"
#include "daemon/intake/sweep.h"
#include "daemon/notify.h"
#include "daemon/outbox/deliver.h"
#include "daemon/publish/publish_site.h"
#include "daemon/reconnect.h"
#include "daemon/reply/composer.h"

namespace contribd {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using namespace asio::experimental::awaitable_operators;

constexpr std::chrono::seconds kFirstReconnectWait{1};
constexpr std::chrono::seconds kMaxReconnectBackoff{300};
// After a stop signal the service finishes the message or reply in hand; past this grace it
// is interrupted (what was not committed is redone at the next start).
constexpr std::chrono::seconds kStopGrace{5};
constexpr std::chrono::seconds kRetryPassAfter{5};

// Everything a run needs, built once from the config file; SIGHUP rebuilds the reloadable parts.
struct Runtime {
  Config config;
  auth::Credentials imap_credentials;  // token sources live here: their cache spans the run
  auth::Credentials smtp_credentials;
  reply::Templates templates;
  storage::Register register_;
  storage::FileStore files;
  SmtpPacing smtp_pacing;
  KeptSession smtp_session;       // the outbox's SMTP session, kept open between rounds
  std::uint32_t uidvalidity = 0;  // of the watched folder, as the last pass saw it
  // The last pass left messages to try again (the register was locked, the disk full): the
  // next pass comes after kRetryPassAfter, not at the next mail or IDLE renewal.
  bool retry_soon = false;
  // The published document lists (SPEC step 11) are behind the register: set at start, by a
  // pass that registered something, by replies sent or failed, by a change from another
  // process (a desk command) and by a reload; cleared once they are written.
  bool publish_due = true;
  // Set by a stop signal; the service looks at it between messages and between replies.
  bool stop_requested = false;
  // Cancelled by a stop signal, to end the waits (IDLE, poll, backoff) at once. Only the
  // service has one; `run --once` never waits.
  std::unique_ptr<asio::steady_timer> stop_event;
  ExtractionJail jail;

  explicit Runtime(Config loaded)
      : config(std::move(loaded)),
        imap_credentials(auth::load_credentials(config.imap)),
        smtp_credentials(auth::load_credentials(config.smtp)),
        templates(reply::load_configured_templates(config)),
        register_(storage::Register::open(config.storage.database)),
        files(config.storage.files_dir),
        smtp_pacing(std::chrono::seconds(config.replies.max_backoff_seconds)),
        smtp_session(std::chrono::seconds(config.smtp.keep_open_seconds)),
        jail(jail_limits(config.limits)) {
    count_last_crash();
  }

  static JailLimits jail_limits(const LimitsConfig& limits) {
    JailLimits jail;
    jail.budget = std::chrono::seconds(limits.message_seconds);
    jail.memory_bytes = limits.parser_memory_bytes;
    return jail;
  }

  std::filesystem::path crash_marker_file() const {
    return config.storage.database.string() + ".crash";
  }

  // A crash of the previous run while it had a message in hand counts as one failure of that
  // message (SPEC step 7); then the marker is armed for this run.
  void count_last_crash() {
    const std::filesystem::path marker = crash_marker_file();
    if (auto crash = crash_marker::take(marker)) {
      const std::string error =
          fmt::format("contribd crashed (signal {}) while processing it", crash->signal_number);
      auto transaction = register_.begin();
      const int failures = register_.count_failure(crash->key, error);
      transaction.commit();
      spdlog::warn("UID {} of {}: {} (failure {}; held at the third)", crash->key.uid,
                   crash->key.mailbox, error, failures);
    }
    crash_marker::install(marker);
  }

  IntakeContext intake() { return IntakeContext{config, register_, files, templates, &jail}; }
};

// Said once per run, after the start succeeded (a failed start is one line on stderr).
void note_unverified_replies(const Runtime& runtime) {
  if (!runtime.config.trust.authserv_id.empty()) return;
  spdlog::warn(
      "no [trust] table: replies go to the From or Reply-To address of whoever writes, "
      "unverified; set [trust] authserv_id to answer only authenticated senders");
}

// Puts a configured folder where the server allows it (folder_placement.h) and makes sure it
// exists. The full name replaces the configured one for the rest of the run (a reconnection
// finds it already placed); the log says it once. A refused CREATE names what to write.
awaitable<void> place_and_ensure(imap::Session& session,
                                 const std::optional<imap::Namespaces>& namespaces,
                                 std::string_view key, std::string& folder) {
  const imap::FolderPlacement placement = imap::place_folder(folder, namespaces);
  if (placement.prefixed) {
    spdlog::info(
        "imap: {} \"{}\" is \"{}\" on this server (its personal folders are below \"{}\", "
        "separator \"{}\"); write the full name in the config to choose another place",
        key, folder, placement.name, placement.prefix, placement.separator);
  }
  const std::string configured = folder;
  folder = placement.name;
  std::string refused;
  try {
    co_await session.ensure_folder(folder);
  } catch (const imap::CreateRefused& error) {
    refused = error.what();  // no co_await in a handler (g++ 12)
  }
  if (!refused.empty()) {
    throw imap::ImapError(
        fmt::format("{}; {}", refused, imap::folder_advice(key, configured, placement)));
  }
}

awaitable<std::unique_ptr<imap::Session>> open_mailbox(Runtime& runtime) {
  auto executor = co_await asio::this_coro::executor;
  // Named, not braced temporaries: g++ 12 destroys temporaries inside co_await too early.
  const imap::Credentials credentials = runtime.imap_credentials;
  const net::Endpoint endpoint = runtime.config.imap.endpoint;
  auto session = co_await imap::Session::connect(executor, endpoint, credentials);
  const std::optional<imap::Namespaces> namespaces = co_await session->namespaces();
  co_await place_and_ensure(*session, namespaces, "processed_folder",
                            runtime.config.imap.processed_folder);
  co_await place_and_ensure(*session, namespaces, "review_folder",
                            runtime.config.imap.review_folder);
  co_return session;
}

void log_sweep(Runtime& runtime, const SweepCounts& counts) {
  if (runtime.uidvalidity != 0 && counts.uidvalidity != runtime.uidvalidity) {
    spdlog::warn(
        "imap: UIDVALIDITY of {} changed from {} to {}: every message is examined again "
        "and recognised by Message-ID and content, none is registered twice",
        runtime.config.imap.folder, runtime.uidvalidity, counts.uidvalidity);
  }
  runtime.uidvalidity = counts.uidvalidity;
  runtime.retry_soon = counts.failed > 0;
  if (counts.registered + counts.duplicates + counts.skipped + counts.rejected + counts.held +
          counts.failed ==
      0)
    return;
  spdlog::info(
      "mailbox pass: {} registered, {} duplicates, {} left for people, {} held for review, {} "
      "rejected, {} to try again",
      counts.registered, counts.duplicates, counts.skipped, counts.held, counts.rejected,
      counts.failed);
}

// A register that cannot be written (locked by another process, disk full) is a storage
// problem, said as one: the IMAP connection is fine and stays. The SMTP session is closed
// once it has not been used for [smtp] keep_open_seconds.
awaitable<DeliveryCounts> deliver(Runtime& runtime) {
  auto executor = co_await asio::this_coro::executor;
  DeliveryCounts counts{0, 0, 1};
  try {
    counts = co_await deliver_due_replies(executor, runtime.config.smtp, runtime.smtp_credentials,
                                          runtime.register_, runtime.smtp_pacing,
                                          runtime.smtp_session, &runtime.stop_requested);
  } catch (const storage::StorageError& error) {
    spdlog::error("register: the outbox cannot be updated: {}; replies wait", error.what());
  }
  co_await runtime.smtp_session.close_if_idle(KeptSession::Clock::now());
  co_return counts;
}

// Rewrites the published lists when the register changed since they were last written: at most
// once per pass of the loop, however many batches and replies the pass had. A failure is logged
// and the lists are written again at the next wake; it never stops the intake.
void publish_if_due(Runtime& runtime) {
  const PublishConfig& publish = runtime.config.publish;
  if (publish.dir.empty() || !runtime.publish_due) return;
  const auto start = std::chrono::steady_clock::now();
  try {
    const publish::PublishReport report = publish::publish_site(runtime.config, runtime.register_);
    runtime.publish_due = false;
    for (const std::string& problem : report.file_problems) {
      spdlog::warn("publish: a stored file is missing from the document list: {}", problem);
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto level =
        report.pages_written + report.files_placed > 0 ? spdlog::level::info : spdlog::level::debug;
    spdlog::log(level,
                "published the document lists in {}: {} contributions of {} meetings, {} pages "
                "changed, {} files added ({} copied), in {:.3f} s",
                publish.dir.string(), report.contributions, report.meetings, report.pages_written,
                report.files_placed, report.files_copied, seconds);
  } catch (const std::exception& error) {
    spdlog::error(
        "publish: the document lists in {} could not be written: {}; tried again at the "
        "next wake",
        publish.dir.string(), error.what());
  }
}

void note_replies(Runtime& runtime, const DeliveryCounts& sent) {
  // documents.json shows each reply's state.
  if (sent.sent + sent.failed > 0) runtime.publish_due = true;
}

awaitable<int> once(Runtime& runtime) {
  bool complete = true;
  try {
    auto session = co_await open_mailbox(runtime);
    note_unverified_replies(runtime);
    IntakeContext context = runtime.intake();
    const SweepCounts counts = co_await sweep_mailbox(*session, context);
    log_sweep(runtime, counts);
    complete = counts.failed == 0;
    if (counts.registered > 0) runtime.publish_due = true;
    co_await session->logout();
  } catch (const std::exception& error) {
    std::cerr << "contribd: imap " << error.what() << "\n";
    spdlog::error("imap: {}", error.what());
    complete = false;
  }
  try {
    const DeliveryCounts sent = co_await deliver(runtime);
    note_replies(runtime, sent);
    if (sent.deferred > 0) complete = false;
  } catch (const std::exception& error) {
    std::cerr << "contribd: smtp " << error.what() << "\n";
    complete = false;
  }
  co_await runtime.smtp_session.close();
  if (runtime.register_.next_due()) {
    spdlog::warn("replies are still queued in the outbox; they are sent on the next run");
    complete = false;
  }
  publish_if_due(runtime);
  if (runtime.publish_due && !runtime.config.publish.dir.empty()) complete = false;
  co_return complete ? exit_ok : exit_runtime_error;
}

template <typename Body>
int run_in_io_context(Body body) {
  asio::io_context io;
  int exit_code = exit_runtime_error;
  asio::co_spawn(io, body(), [&](std::exception_ptr failure, int code) {
    if (!failure) {
      exit_code = code;
      return;
    }
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& error) {
      std::cerr << "contribd: " << error.what() << "\n";
    }
  });
  io.run();
  return exit_code;
}

// Loads the config and opens the register; a problem here is one line on stderr.
std::unique_ptr<Runtime> start_runtime(const std::filesystem::path& config_file, int& exit_code) {
  try {
    return std::make_unique<Runtime>(load_config(config_file));
  } catch (const ConfigError& error) {
    std::cerr << "contribd: " << error.what() << "\n";
    exit_code = exit_config_error;
  } catch (const std::exception& error) {
    std::cerr << "contribd: " << error.what() << "\n";
    exit_code = exit_runtime_error;
  }
  return nullptr;
}

double random_fraction() {
  static std::mt19937 random{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(random);
}

awaitable<void> sleep_for(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  co_await timer.async_wait(use_awaitable);
}

awaitable<void> until_stop(Runtime& runtime) {
  co_await runtime.stop_event->async_wait(asio::as_tuple(use_awaitable));
}

// Keeps a failure out of an awaitable operator: `a || b` ends at the first branch that
// *succeeds*, so a branch that throws would otherwise leave it waiting for the other.
awaitable<void> capture_failure(awaitable<void> step, std::exception_ptr& failure) {
  try {
    co_await std::move(step);
  } catch (...) {
    failure = std::current_exception();
  }
}

// Runs a wait that a stop signal ends early (the wait is then cancelled). A failure of the
// wait (the connection broke while idling) is rethrown; one caused by the stop is not.
awaitable<void> unless_stopped(Runtime& runtime, awaitable<void> wait) {
  if (runtime.stop_requested) co_return;
  if (!runtime.stop_event) {
    co_await std::move(wait);
    co_return;
  }
  std::exception_ptr failure;
  co_await (capture_failure(std::move(wait), failure) || until_stop(runtime));
  if (failure && !runtime.stop_requested) std::rethrow_exception(failure);
}

// The desk commands (accept, release, resend, withdraw) write the register from another
// process; PRAGMA data_version tells the daemon, looked at once a second while it waits.
bool register_changed_elsewhere(Runtime& runtime) {
  if (!runtime.register_.changed_elsewhere()) return false;
  runtime.publish_due = true;  // a withdrawal shows on the list
  return true;
}

// `arrived`: the IDLE ended because the server announced mail.
awaitable<void> idle_once(Runtime& runtime, imap::Session& session, std::chrono::seconds max_wait,
                          bool& arrived) {
  arrived =
      co_await session.idle(max_wait, [&runtime] { return register_changed_elsewhere(runtime); });
}

// Waits up to max_wait in steps of `step`, looking at the register for the desk's changes about
// once a second, as during IDLE. With `noop_on`, each step ends with a NOOP, and one that reports
// new mail ends the wait (`[imap] noop_interval_ms`); without, the steps are a plain poll's sleep.
awaitable<void> wait_in_steps(Runtime& runtime, std::chrono::seconds max_wait,
                              std::chrono::milliseconds step, imap::Session* noop_on,
                              bool& arrived) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + max_wait;
  auto next_register_look = Clock::now() + std::chrono::seconds(1);
  while (Clock::now() < deadline) {
    co_await sleep_for(
        std::min(step, std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now())));
    if (noop_on != nullptr) {
      co_await noop_on->noop();
      arrived = noop_on->mail_arrived();
      if (arrived) co_return;
    }
    if (Clock::now() >= next_register_look) {
      if (register_changed_elsewhere(runtime)) co_return;
      next_register_look = Clock::now() + std::chrono::seconds(1);
    }
  }
}

// How long to wait for new mail before looking at the outbox again: at most `limit` (the IDLE
// renewal or the poll interval), less when a queued reply falls due earlier or the SMTP
// session is to be closed for want of use.
std::chrono::seconds next_wake(Runtime& runtime, std::chrono::seconds limit) {
  if (runtime.retry_soon) limit = std::min(limit, kRetryPassAfter);
  std::chrono::seconds wait = limit;
  if (auto due = next_delivery(runtime.register_, runtime.smtp_pacing)) {
    const auto now = storage::now_utc();
    wait = std::clamp(std::chrono::duration_cast<std::chrono::seconds>(*due - now),
                      std::chrono::seconds(1), limit);
  }
  if (auto close_at = runtime.smtp_session.close_at()) {
    const auto left =
        std::chrono::ceil<std::chrono::seconds>(*close_at - KeptSession::Clock::now());
    wait = std::clamp(left, std::chrono::seconds(1), wait);
  }
  return wait;
}

// Waits for new mail, a due reply or the renewal time. After the wait a NOOP proves the
// connection still answers: a half-open connection (server gone without a FIN) fails here,
// within the read timeout, instead of at the next real command. A wait that ended with the
// server's answer (mail announced, or the NOOP that each step of noop_interval_ms ends with)
// needs no such proof, and the pass starts a round trip sooner.
awaitable<void> wait_for_mail(Runtime& runtime, imap::Session& session) {
  const ImapConfig& imap = runtime.config.imap;
  const MailWait how = mail_wait(imap, session.has_capability("IDLE"));
  bool mail_announced = false;
  bool answered_just_now = false;
  if (how == MailWait::noop) {
    const auto wait = next_wake(runtime, std::chrono::seconds(imap.poll_interval_seconds));
    co_await unless_stopped(
        runtime, wait_in_steps(runtime, wait, std::chrono::milliseconds(imap.noop_interval_ms),
                               &session, mail_announced));
    answered_just_now = true;
  } else if (how == MailWait::idle) {
    const auto wait = next_wake(runtime, std::chrono::seconds(imap.idle_refresh_seconds));
    co_await unless_stopped(runtime, idle_once(runtime, session, wait, mail_announced));
    answered_just_now = mail_announced;
  } else {
    const auto wait = next_wake(runtime, std::chrono::seconds(imap.poll_interval_seconds));
    co_await unless_stopped(
        runtime, wait_in_steps(runtime, wait, std::chrono::seconds(1), nullptr, mail_announced));
  }
  if (!runtime.stop_requested && !answered_just_now) co_await session.noop();
}

// Connected: sweep, send, then wait for mail, until an error or a stop signal.
awaitable<void> serve_connected(Runtime& runtime, imap::Session& session) {
  // The watched folder as the last complete pass on this connection left it: a pass that finds
  // it unchanged does not list it again (folder_listing.h).
  std::optional<FolderSeen> seen;
  while (!runtime.stop_requested) {
    IntakeContext context = runtime.intake();
    try {
      const SweepCounts counts =
          co_await sweep_mailbox(session, context, &runtime.stop_requested, &seen);
      log_sweep(runtime, counts);
      if (counts.registered > 0) runtime.publish_due = true;
    } catch (const storage::StorageError& error) {
      // Nothing uncommitted is lost: the messages stay in the folder for the next pass.
      spdlog::error("register: {}; the mailbox pass is tried again at the next wake", error.what());
      runtime.publish_due = true;  // the batches before the failure were committed
    }
    const DeliveryCounts sent = co_await deliver(runtime);
    note_replies(runtime, sent);
    if (runtime.stop_requested) break;
    publish_if_due(runtime);
    notify::status(fmt::format("watching {} on {}", runtime.config.imap.folder,
                               runtime.config.imap.endpoint.host));
    co_await wait_for_mail(runtime, session);
  }
}

// While IMAP is away the outbox still empties: the replies already queued do not wait for
// the mailbox to come back.
awaitable<void> deliver_during_outage(Runtime& runtime) {
  try {
    co_await deliver(runtime);
  } catch (const std::exception& error) {
    spdlog::debug("outbox during the IMAP outage: {}", error.what());
  }
}

void note_connection_lost(Runtime& runtime, Outage& outage, const std::string& cause,
                          const imap::Condition& condition) {
  const auto& endpoint = runtime.config.imap.endpoint;
  if (outage.fail(cause, Outage::Clock::now())) {
    // The cause names host and port already.
    const std::string why = condition.code == imap::KnownCode::throttled
                                ? fmt::format("the server asks to slow down; waiting at least {} s",
                                              throttled_wait(condition)->count())
                            : condition.code == imap::KnownCode::unavailable
                                ? "the server is temporarily unavailable; reconnecting with backoff"
                                : "reconnecting with backoff";
    spdlog::warn("imap: connection lost: {}; {} (at most {} s apart)", cause, why,
                 kMaxReconnectBackoff.count());
  } else {
    spdlog::debug("imap: reconnection failed: {}", cause);
  }
  notify::status(fmt::format("reconnecting to {}: {}", endpoint.host, cause));
}

awaitable<int> serve(Runtime& runtime) {
  // At start a server problem is fatal (the operator is watching); later it is an outage.
  auto session = co_await open_mailbox(runtime);
  const auto& endpoint = runtime.config.imap.endpoint;
  const ImapConfig& imap = runtime.config.imap;
  spdlog::info("connected to {}:{} as {}, watching {} ({})", endpoint.host, endpoint.port,
               imap.username, imap.folder, describe_waiting(imap, session->has_capability("IDLE")));
  note_unverified_replies(runtime);
  notify::ready();
  runtime.register_.changed_elsewhere();  // the baseline: what this process saw at start
  ReconnectBackoff backoff(kFirstReconnectWait, kMaxReconnectBackoff);
  Outage outage;
  while (!runtime.stop_requested) {
    std::string cause;
    imap::Condition condition;  // what the server's answer asked for, when it gave one
    try {
      if (!session) {
        session = co_await open_mailbox(runtime);
        backoff.reset();
        spdlog::info("reconnected to {}:{} {}", endpoint.host, endpoint.port,
                     outage.end(Outage::Clock::now()).value_or(""));
      }
      co_await serve_connected(runtime, *session);
      if (runtime.stop_requested) break;
    } catch (const imap::ImapError& error) {
      cause = error.what();
      condition = error.condition();
      runtime.publish_due = true;  // a pass cut short may have registered unreported batches
    } catch (const std::exception& error) {
      cause = error.what();
      runtime.publish_due = true;
    }
    session.reset();
    // A failure caused by the stop itself (a cancelled wait or read) is not an outage.
    if (runtime.stop_requested) break;
    if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none)
      co_return exit_ok;
    note_connection_lost(runtime, outage, cause, condition);
    co_await deliver_during_outage(runtime);
    co_await unless_stopped(runtime,
                            sleep_for(backoff.next(random_fraction(), throttled_wait(condition))));
  }
  if (session) co_await session->logout();
  co_await runtime.smtp_session.close();
  spdlog::info("stopped");
  co_return exit_ok;
}

// serve() for the `||` in run_service: a failure at start ends the service with exit 1.
awaitable<int> serve_or_report(Runtime& runtime) {
  try {
    co_return co_await serve(runtime);
  } catch (const std::exception& error) {
    std::cerr << "contribd: " << error.what() << "\n";
  }
  co_return exit_runtime_error;
}

// The first stop signal asks the service to finish what it has in hand; if it is still busy
// after kStopGrace, returning makes the `||` in run_service cancel it.
awaitable<int> stop_on_signal(Runtime& runtime, asio::signal_set& stop_signals) {
  const int signal_number = co_await stop_signals.async_wait(use_awaitable);
  spdlog::info("signal {} received, stopping after the step in hand", signal_number);
  notify::stopping();
  runtime.stop_requested = true;
  runtime.stop_event->cancel();
  runtime.jail.abort();  // a message in the extraction process ends now, to be redone later
  co_await sleep_for(kStopGrace);
  spdlog::warn(
      "still busy {} s after the stop signal: interrupted; an unfinished step is done "
      "again at the next start",
      kStopGrace.count());
  co_return exit_ok;
}

awaitable<void> reload_on_hangup(Runtime& runtime, asio::signal_set& hangup) {
  for (;;) {
    co_await hangup.async_wait(use_awaitable);
    notify::reloading();
    try {
      Config fresh = load_config(runtime.config.source);
      runtime.templates = reply::load_configured_templates(fresh);
      runtime.config.meetings = std::move(fresh.meetings);
      runtime.config.replies = std::move(fresh.replies);
      runtime.publish_due = true;  // titles and deadlines show on the lists
      spdlog::info("SIGHUP: reloaded {} meetings and the reply templates",
                   runtime.config.meetings.size());
    } catch (const std::exception& error) {
      spdlog::error("SIGHUP: kept the running configuration: {}", error.what());
    }
    notify::ready();
  }
}

}  // namespace

int run_once(const std::filesystem::path& config_file) {
  int exit_code = exit_runtime_error;
  auto runtime = start_runtime(config_file, exit_code);
  if (!runtime) return exit_code;
  return run_in_io_context([&]() { return once(*runtime); });
}

int run_service(const std::filesystem::path& config_file) {
  int exit_code = exit_runtime_error;
  auto runtime = start_runtime(config_file, exit_code);
  if (!runtime) return exit_code;
  asio::io_context io;
  asio::signal_set stop_signals(io, SIGTERM, SIGINT);
  asio::signal_set hangup(io, SIGHUP);
  asio::co_spawn(io, reload_on_hangup(*runtime, hangup), asio::detached);
  // One message's time budget, and as much again for its registration.
  const auto stall_limit =
      2 * std::chrono::seconds(runtime->config.limits.message_seconds) + std::chrono::seconds(30);
  asio::co_spawn(io, notify::keep_watchdog_fed(stall_limit), asio::detached);
  // The service ends at the first of: a stop signal, or a start-up failure. Cancelling the
  // service mid-way is safe: registration happens between awaits, in one transaction.
  runtime->stop_event =
      std::make_unique<asio::steady_timer>(io, asio::steady_timer::time_point::max());
  asio::co_spawn(io, serve_or_report(*runtime) || stop_on_signal(*runtime, stop_signals),
                 [&](std::exception_ptr failure, std::variant<int, int> result) {
                   if (failure) {
                     try {
                       std::rethrow_exception(failure);
                     } catch (const std::exception& error) {
                       std::cerr << "contribd: " << error.what() << "\n";
                     }
                     exit_code = exit_runtime_error;
                   } else {
                     exit_code = std::visit([](int code) { return code; }, result);
                   }
                   io.stop();
                 });
  io.run();
  return exit_code;
}

}  // namespace contribd
