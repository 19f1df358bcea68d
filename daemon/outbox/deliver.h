// Sends the replies waiting in the outbox. A reply leaves the outbox only when the SMTP server
// accepted it (sent) or refused it permanently (failed, with the server's text); anything else
// is retried with exponential backoff capped at `max_backoff`.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>

#include "daemon/config.h"
#include "daemon/smtp/smtp_dialogue.h"
#include "storage/register.h"

namespace contribd {

struct DeliveryCounts {
  int sent = 0;
  int failed = 0;    // refused permanently (5xx)
  int deferred = 0;  // still queued, will be retried
};

// The wait before attempt number `attempts + 1`: 2^attempts seconds, capped.
std::chrono::seconds retry_backoff(int attempts, std::chrono::seconds max_backoff);

boost::asio::awaitable<DeliveryCounts> deliver_due_replies(boost::asio::any_io_executor executor,
                                                           const SmtpConfig& smtp,
                                                           const smtp::Credentials& credentials,
                                                           storage::Register& register_,
                                                           std::chrono::seconds max_backoff);

}  // namespace contribd
