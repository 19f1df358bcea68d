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
  for (const storage::OutboxEntry& entry : register_.due_replies(now_utc())) {
    std::string error;
    bool permanent = false;
    bool server_unreachable = false;
    try {
      co_await smtp::send_message(executor, smtp.endpoint, credentials, entry.envelope_from,
                                  entry.recipient, entry.message);
      register_.mark_sent(entry.reply_id, now_utc());
      spdlog::info("reply {} sent to {}", entry.reply_id, entry.recipient);
      ++counts.sent;
      continue;
    } catch (const smtp::SmtpError& refusal) {
      error = refusal.what();
      permanent = refusal.permanent();
    } catch (const net::NetError& failure) {
      error = failure.what();
      server_unreachable = true;
    } catch (const std::exception& failure) {
      error = failure.what();
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
      // The server is down: the other replies wait for the next round instead of each
      // paying a connection timeout now.
      if (server_unreachable) break;
    }
  }
  co_return counts;
}

}  // namespace contribd
