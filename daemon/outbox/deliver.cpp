#include "daemon/outbox/deliver.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "daemon/event_log.h"
#include "daemon/notify.h"

namespace contribd {
namespace {

using boost::asio::awaitable;
using storage::UtcTime;

// How one attempt ended.
struct Attempt {
  enum class Result { sent, refused_permanently, reply_deferred, server_trouble };
  Result result = Result::sent;
  std::string error;
};

awaitable<std::unique_ptr<smtp::Session>> open_smtp_session(boost::asio::any_io_executor executor,
                                                            const SmtpConfig& smtp,
                                                            const smtp::Credentials& credentials) {
  const net::Endpoint endpoint = smtp.endpoint;
  co_return co_await smtp::Session::open(executor, endpoint, credentials, smtp.helo,
                                         smtp.pipelining);
}

// One reply on the kept session, which is opened when there is none and dropped when the server
// or the connection fails. A refusal of one message leaves the session usable. `check_first`:
// the session comes from an earlier round, an RSET first proves it still answers.
awaitable<Attempt> attempt(boost::asio::any_io_executor executor, const SmtpConfig& smtp,
                           const smtp::Credentials& credentials, const storage::OutboxEntry& entry,
                           KeptSession& kept, bool check_first) {
  Attempt outcome;
  try {
    const bool reused = kept.session != nullptr && check_first;
    if (!kept.session) kept.session = co_await open_smtp_session(executor, smtp, credentials);
    std::string gone;
    try {
      co_await kept.session->send(entry.envelope_from, entry.recipient, entry.message, reused);
    } catch (const smtp::SessionGone& closed) {
      gone = closed.what();
    }
    if (!gone.empty()) {
      // Nothing of this reply was accepted: a new session carries it.
      spdlog::debug("smtp: {}; opening a new session", gone);
      kept.session.reset();
      kept.session = co_await open_smtp_session(executor, smtp, credentials);
      co_await kept.session->send(entry.envelope_from, entry.recipient, entry.message);
    }
    kept.last_used = KeptSession::Clock::now();
    co_return outcome;
  } catch (const smtp::SmtpError& refusal) {
    outcome.error = refusal.what();
    if (refusal.permanent()) {
      outcome.result = Attempt::Result::refused_permanently;
    } else if (failure_scope(refusal.code(), refusal.enhanced()) == FailureScope::this_reply) {
      outcome.result = Attempt::Result::reply_deferred;
    } else {
      outcome.result = Attempt::Result::server_trouble;
    }
  } catch (const std::exception& failure) {
    // net::NetError and anything unexpected: the server, the network or TLS.
    outcome.error = failure.what();
    outcome.result = Attempt::Result::server_trouble;
  }
  if (outcome.result == Attempt::Result::server_trouble) kept.session.reset();
  co_return outcome;
}

void note_server_answered(SmtpPacing& pacing, const SmtpConfig& smtp, UtcTime now) {
  if (auto outage = pacing.server_answered(now)) {
    spdlog::info("smtp {}:{} answers again after {} s; sending the queued replies",
                 smtp.endpoint.host, smtp.endpoint.port, outage->count());
  }
}

void note_server_trouble(SmtpPacing& pacing, const storage::OutboxEntry& entry,
                         const std::string& error, storage::Register& register_, UtcTime now) {
  const bool began = !pacing.in_outage();
  const auto wait = pacing.server_failed(now);
  register_.mark_retry(entry.reply_id, error, now + wait);
  if (began) {
    spdlog::warn(
        "smtp: cannot send replies: {}; they stay queued and are retried with backoff "
        "(at most {} s apart)",
        error, pacing.max_backoff().count());
  } else {
    spdlog::debug("smtp: still failing (round {}), next try in {} s: {}", pacing.failed_rounds(),
                  wait.count(), error);
  }
}

void log_sent(const storage::OutboxEntry& entry) {
  log_event(spdlog::level::info,
            fmt::format("reply {} ({}) sent to {}", entry.reply_id, entry.document_number,
                        entry.recipient),
            {{"CONTRIBD_REPLY_ID", std::to_string(entry.reply_id)},
             {"CONTRIBD_DOCUMENT", entry.document_number.text()},
             {"CONTRIBD_RECIPIENT", entry.recipient}});
}

void note_unrecorded(SmtpPacing& pacing, const storage::OutboxEntry& entry,
                     const storage::StorageError& error, UtcTime now) {
  const bool first = pacing.unrecorded().empty();
  pacing.remember_unrecorded(entry.reply_id, now);
  if (first) {
    log_event(spdlog::level::err,
              fmt::format("register: reply {} ({}) to {} was accepted by the SMTP server but "
                          "cannot be recorded as sent: {}; no reply is sent until the register "
                          "can be written again",
                          entry.reply_id, entry.document_number, entry.recipient, error.what()),
              {{"CONTRIBD_REPLY_ID", std::to_string(entry.reply_id)},
               {"CONTRIBD_DOCUMENT", entry.document_number.text()}});
    notify::status(fmt::format("replies paused: the register cannot be written: {}", error.what()));
  }
}

// Nothing is sent that could not be recorded: a round begins only when the register takes a
// write (an empty IMMEDIATE transaction waits out the busy timeout for another writer).
bool register_writable(storage::Register& register_) {
  try {
    register_.begin().commit();
    return true;
  } catch (const storage::StorageError& error) {
    spdlog::warn("register: cannot be written ({}); replies wait until it can", error.what());
    notify::status(fmt::format("replies paused: the register cannot be written: {}", error.what()));
    return false;
  }
}

// Records a reply the server accepted; false (and remembered) when the register cannot.
bool record_sent(storage::Register& register_, SmtpPacing& pacing,
                 const storage::OutboxEntry& entry, UtcTime now) {
  try {
    register_.mark_sent(entry.reply_id, now);
    return true;
  } catch (const storage::StorageError& error) {
    note_unrecorded(pacing, entry, error, now);
    return false;
  }
}

// Records the replies sent earlier whose recording failed. False while the register still
// cannot be written: the round then sends nothing.
bool record_unrecorded(storage::Register& register_, SmtpPacing& pacing) {
  const auto pending = pacing.unrecorded();
  for (const auto& [reply_id, sent_at] : pending) {
    try {
      register_.mark_sent(reply_id, sent_at);
    } catch (const storage::StorageError& error) {
      // Recorded meanwhile by someone else (no longer queued): nothing to do. Otherwise wait.
      if (std::string_view(error.what()).find("no queued reply has this id") ==
          std::string_view::npos) {
        spdlog::debug("register: still cannot record reply {} as sent: {}", reply_id, error.what());
        return false;
      }
    }
    pacing.forget_unrecorded(reply_id);
    spdlog::info("register: reply {} recorded as sent; replies are sent again", reply_id);
  }
  return true;
}

}  // namespace

void SmtpPacing::remember_unrecorded(std::int64_t reply_id, storage::UtcTime sent_at) {
  unrecorded_.emplace(reply_id, sent_at);
}

std::chrono::seconds retry_backoff(int attempts, std::chrono::seconds max_backoff) {
  const int exponent = std::clamp(attempts, 0, 30);
  return std::min(std::chrono::seconds(std::int64_t{1} << exponent), max_backoff);
}

FailureScope failure_scope(int code, std::string_view enhanced) {
  // 421: the service is closing the channel (RFC 5321 section 3.8). 0: nothing readable came
  // back. 5xx that is not final: a refused EHLO, STARTTLS or login, our configuration or the
  // server's, the same for every reply.
  if (code == 0 || code == 421 || code >= 500) return FailureScope::server;
  // Throttling: "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded", 4.7.x
  // (security or policy, "4.7.0 Temporary server error"). The next reply would meet the same.
  if (code == 432 || enhanced == "4.3.2" || enhanced.starts_with("4.7.")) {
    return FailureScope::server;
  }
  // Any other 4xx concerns this message.
  return FailureScope::this_reply;
}

std::optional<KeptSession::Clock::time_point> KeptSession::close_at() const {
  if (!session) return std::nullopt;
  return last_used + keep_open;
}

awaitable<void> KeptSession::close_if_idle(Clock::time_point now) {
  const auto due = close_at();
  if (due && *due <= now) co_await close();
}

awaitable<void> KeptSession::close() {
  if (!session) co_return;
  std::unique_ptr<smtp::Session> closing = std::move(session);
  co_await closing->close();
}

std::chrono::seconds SmtpPacing::server_failed(UtcTime now) {
  if (failed_rounds_ == 0) outage_began_ = now;
  const auto wait = retry_backoff(failed_rounds_, max_backoff_);
  ++failed_rounds_;
  retry_at_ = now + wait;
  return wait;
}

std::optional<std::chrono::seconds> SmtpPacing::server_answered(UtcTime now) {
  retry_at_.reset();
  if (failed_rounds_ == 0) return std::nullopt;
  failed_rounds_ = 0;
  return std::chrono::duration_cast<std::chrono::seconds>(now - outage_began_);
}

std::optional<UtcTime> next_delivery(storage::Register& register_, const SmtpPacing& pacing) {
  auto due = register_.next_due();
  if (due && pacing.retry_at()) due = std::max(*due, *pacing.retry_at());
  return due;
}

awaitable<DeliveryCounts> deliver_due_replies(boost::asio::any_io_executor executor,
                                              const SmtpConfig& smtp,
                                              const smtp::Credentials& credentials,
                                              storage::Register& register_, SmtpPacing& pacing,
                                              KeptSession& kept, const bool* stop_requested) {
  DeliveryCounts counts;
  if (!record_unrecorded(register_, pacing)) {
    counts.deferred = static_cast<int>(pacing.unrecorded().size());
    co_return counts;
  }
  if (!pacing.may_try(storage::now_utc())) co_return counts;
  const std::vector<storage::OutboxEntry> due = register_.due_replies(storage::now_utc());
  if (!due.empty() && !register_writable(register_)) {
    counts.deferred = static_cast<int>(due.size());
    co_return counts;
  }
  // One session carries the round, and the rounds after it while it is kept: a TLS handshake
  // and a sign-in per reply would cost more than the replies themselves.
  bool check_first = true;
  for (const storage::OutboxEntry& entry : due) {
    if (stop_requested && *stop_requested) {
      counts.deferred = static_cast<int>(due.size()) - counts.sent - counts.failed;
      break;
    }
    const Attempt outcome = co_await attempt(executor, smtp, credentials, entry, kept, check_first);
    check_first = false;
    const UtcTime now = storage::now_utc();
    switch (outcome.result) {
      case Attempt::Result::sent:
        note_server_answered(pacing, smtp, now);
        ++counts.sent;
        if (!record_sent(register_, pacing, entry, now)) {
          counts.deferred = static_cast<int>(due.size()) - counts.sent - counts.failed;
          co_await kept.close();
          co_return counts;
        }
        log_sent(entry);
        break;
      case Attempt::Result::refused_permanently:
        note_server_answered(pacing, smtp, now);
        register_.mark_failed(entry.reply_id, outcome.error);
        log_event(spdlog::level::err,
                  fmt::format("reply {} to {} refused permanently, not retried: {}", entry.reply_id,
                              entry.recipient, outcome.error),
                  {{"CONTRIBD_REPLY_ID", std::to_string(entry.reply_id)},
                   {"CONTRIBD_RECIPIENT", entry.recipient}});
        ++counts.failed;
        break;
      case Attempt::Result::reply_deferred: {
        note_server_answered(pacing, smtp, now);
        const auto wait = retry_backoff(entry.attempts, pacing.max_backoff());
        register_.mark_retry(entry.reply_id, outcome.error, now + wait);
        spdlog::warn("reply {} to {} deferred by the server, retrying in {} s: {}", entry.reply_id,
                     entry.recipient, wait.count(), outcome.error);
        ++counts.deferred;
        break;
      }
      case Attempt::Result::server_trouble:
        note_server_trouble(pacing, entry, outcome.error, register_, now);
        // The rest wait for the server's backoff instead of each paying the same failure.
        counts.deferred = static_cast<int>(due.size()) - counts.sent - counts.failed;
        co_return counts;
    }
  }
  if (kept.keep_open.count() == 0) co_await kept.close();
  co_return counts;
}

}  // namespace contribd
