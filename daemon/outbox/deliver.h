// Sends the replies waiting in the outbox. A reply leaves the outbox only when the SMTP server
// accepted it (sent) or refused it permanently (failed, with the server's text); anything else
// is retried with exponential backoff capped at the pacing's max_backoff.
//
// Two kinds of trouble are told apart. A refusal of one reply (a 4xx to MAIL, RCPT or DATA)
// delays that reply only. Trouble with the server itself (unreachable, TLS failure, 421
// closing, a failing login, an unreadable answer) stops the round: no other reply pays the
// same timeout, and no reply is tried again before the server's own backoff has passed.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/config.h"
#include "daemon/smtp/smtp_dialogue.h"
#include "daemon/smtp/smtp_session.h"
#include "storage/register.h"

namespace contribd {

struct DeliveryCounts {
  int sent = 0;
  int failed = 0;    // refused permanently (5xx)
  int deferred = 0;  // still queued, will be retried
};

// The wait before attempt number `attempts + 1`: 2^attempts seconds, capped.
std::chrono::seconds retry_backoff(int attempts, std::chrono::seconds max_backoff);

enum class FailureScope { this_reply, server };

// Which kind of trouble a temporary SMTP refusal is. `code` is the reply code (0 when the
// answer could not be read or the failure was found on our side), `enhanced` its enhanced
// status code (RFC 3463), empty when it had none. Throttling (432, 4.3.2, 4.7.x: Microsoft
// 365's "sender thread limit exceeded", docs/smtp-servers.md) concerns the account, not the
// message: the server's backoff, for every reply.
FailureScope failure_scope(int code, std::string_view enhanced = {});

// What the outbox remembers about the SMTP server between rounds. An outage begins with the
// first server failure and ends with the first answer that is not one; the log gets one line
// for each of those two moments, not one per retry.
class SmtpPacing {
 public:
  explicit SmtpPacing(std::chrono::seconds max_backoff) : max_backoff_(max_backoff) {}

  std::chrono::seconds max_backoff() const { return max_backoff_; }
  // When the next attempt may be made; nullopt while the server is not known to be in trouble.
  std::optional<storage::UtcTime> retry_at() const { return retry_at_; }
  bool may_try(storage::UtcTime now) const { return !retry_at_ || *retry_at_ <= now; }
  bool in_outage() const { return failed_rounds_ > 0; }
  int failed_rounds() const { return failed_rounds_; }

  // The server failed again: returns the wait before the next try (1, 2, 4 ... s, capped).
  std::chrono::seconds server_failed(storage::UtcTime now);
  // The server answered: returns the length of the outage that ended, if there was one.
  std::optional<std::chrono::seconds> server_answered(storage::UtcTime now);

  // A reply the SMTP server accepted and the register could not record as sent (locked by
  // another process, disk full, read-only): remembered here, and nothing more is sent until
  // the register records it, so that it is never sent twice.
  void remember_unrecorded(std::int64_t reply_id, storage::UtcTime sent_at);
  const std::map<std::int64_t, storage::UtcTime>& unrecorded() const { return unrecorded_; }
  void forget_unrecorded(std::int64_t reply_id) { unrecorded_.erase(reply_id); }

 private:
  std::map<std::int64_t, storage::UtcTime> unrecorded_;
  std::chrono::seconds max_backoff_;
  std::optional<storage::UtcTime> retry_at_;
  storage::UtcTime outage_began_;
  int failed_rounds_ = 0;
};

// The outbox's SMTP session between rounds. Kept open, a reply does not wait for a TCP and TLS
// handshake and a sign-in (hundreds of milliseconds to a distant server); the first message of
// a round on a kept session is preceded by an RSET (in the same write when pipelining) which,
// when it finds the session closed by the server (idle timeout, restart), makes the round open
// a new one at once. Any other failure drops it; the next reply opens a new one. It is closed
// (QUIT) once unused for `keep_open`; 0 closes it at the end of every round.
struct KeptSession {
  using Clock = std::chrono::steady_clock;

  explicit KeptSession(std::chrono::seconds keep_open_for) : keep_open(keep_open_for) {}

  // When the open session is to be closed for want of use; nullopt when none is open.
  std::optional<Clock::time_point> close_at() const;
  // Closes the session when close_at() has passed; never throws.
  boost::asio::awaitable<void> close_if_idle(Clock::time_point now);
  // QUIT and close now, when one is open; never throws.
  boost::asio::awaitable<void> close();

  std::chrono::seconds keep_open;
  std::unique_ptr<smtp::Session> session;  // null while none is open
  Clock::time_point last_used{};
};

// The time the service should next look at the outbox: the earliest queued reply, but not
// before the server's backoff has passed. nullopt when nothing is queued.
std::optional<storage::UtcTime> next_delivery(storage::Register& register_,
                                              const SmtpPacing& pacing);

// Tries every reply that is due, unless the server is still in its backoff or a reply already
// sent waits to be recorded (SmtpPacing::remember_unrecorded): then it first records those,
// and sends nothing while the register still cannot be written. The replies go on `kept`'s
// session (opened when there is none). `stop_requested`, when given, is looked at between
// replies: once true, the round ends after the reply in hand.
boost::asio::awaitable<DeliveryCounts> deliver_due_replies(boost::asio::any_io_executor executor,
                                                           const SmtpConfig& smtp,
                                                           const smtp::Credentials& credentials,
                                                           storage::Register& register_,
                                                           SmtpPacing& pacing, KeptSession& kept,
                                                           const bool* stop_requested = nullptr);

}  // namespace contribd
