#include "daemon/outbox/deliver.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "daemon/smtp/smtp_session.h"

namespace contribd {
namespace {

UtcTime now_utc() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace

std::chrono::seconds retry_backoff(int attempts, std::chrono::seconds max_backoff) {
  const int exponent = std::clamp(attempts, 0, 30);
  return std::min(std::chrono::seconds(std::int64_t{1} << exponent), max_backoff);
}

boost::asio::awaitable<DeliveryCounts> deliver_due_replies(boost::asio::any_io_executor executor,
                                                           const SmtpConfig& smtp,
                                                           const smtp::Credentials& credentials,
                                                           storage::Register& register_,
                                                           std::chrono::seconds max_backoff) {
  DeliveryCounts counts;
  const net::Endpoint endpoint = smtp.endpoint;
  // One session carries the whole round; it is opened for the first due reply only.
  std::unique_ptr<smtp::Session> session;
  for (const storage::OutboxEntry& entry : register_.due_replies(now_utc())) {
    std::string error;
    bool permanent = false;
    bool session_lost = false;
    try {
      if (!session) session = co_await smtp::Session::open(executor, endpoint, credentials);
      co_await session->send(entry.envelope_from, entry.recipient, entry.message);
      register_.mark_sent(entry.reply_id, now_utc());
      spdlog::info("reply {} ({}) sent to {}", entry.reply_id, entry.document_number,
                   entry.recipient);
      ++counts.sent;
      continue;
    } catch (const smtp::SmtpError& refusal) {
      error = refusal.what();
      permanent = refusal.permanent();
      // A refusal of the session itself (greeting, EHLO, AUTH) leaves no session.
      session_lost = !session;
    } catch (const std::exception& failure) {
      error = failure.what();
      session_lost = true;
    }
    if (permanent) {
      register_.mark_failed(entry.reply_id, error);
      spdlog::error("reply {} to {} refused permanently, not retried: {}", entry.reply_id,
                    entry.recipient, error);
      ++counts.failed;
    } else {
      const auto wait = retry_backoff(entry.attempts, max_backoff);
      register_.mark_retry(entry.reply_id, error, now_utc() + wait);
      spdlog::warn("reply {} to {} not sent, retrying in {} s: {}", entry.reply_id,
                   entry.recipient, wait.count(), error);
      ++counts.deferred;
    }
    // The server is down or refused us: the other replies wait for the next round instead of
    // each paying a connection timeout now.
    if (session_lost) {
      session.reset();
      break;
    }
  }
  if (session) co_await session->close();
  co_return counts;
}

}  // namespace contribd
