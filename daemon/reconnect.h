// How the service waits between attempts to reach the IMAP server again, and how an outage is
// reported: one warning when it starts, naming its cause, and one line when it ends, instead
// of a line per failed attempt.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "parsers/imap_condition.h"

namespace contribd {

// Exponential backoff with jitter: the n-th wait of an outage is initial * 2^(n-1), capped,
// plus up to a quarter of it at random, so that many clients cut off together do not all
// come back in the same second. Never zero, never above cap * 1.25.
class ReconnectBackoff {
 public:
  ReconnectBackoff(std::chrono::seconds initial, std::chrono::seconds cap);

  // The wait before the next attempt. `random_fraction` in [0, 1) picks the jitter; values
  // outside are clamped. `at_least` (a server's [THROTTLED] answer) raises the base wait and
  // everything after it.
  std::chrono::milliseconds next(double random_fraction,
                                 std::optional<std::chrono::seconds> at_least = std::nullopt);
  void reset();  // connected again: the next outage starts from `initial`

 private:
  std::chrono::seconds initial_;
  std::chrono::seconds cap_;
  std::chrono::seconds base_;
};

// A server asking the client to slow down: an answer whose condition (imap_condition.h) is
// THROTTLED, as a response code or in Microsoft 365's words, gives the wait the server named
// ("[THROTTLED 120]", "Suggested Backoff Time: 299609 milliseconds"), capped at
// kMaxThrottledWait, or kThrottledWait when it named none. nullopt for any other condition: an
// UNAVAILABLE server, a closed connection or a timeout take the ordinary backoff.
inline constexpr std::chrono::seconds kThrottledWait{60};
inline constexpr std::chrono::seconds kMaxThrottledWait{3600};
std::optional<std::chrono::seconds> throttled_wait(const imap::Condition& condition);

// One outage, from the first failure to the reconnection. fail() answers true only for the
// failure that starts the outage: that one is logged as a warning, the repeats at debug.
class Outage {
 public:
  using Clock = std::chrono::steady_clock;

  bool fail(std::string_view cause, Clock::time_point now);  // true: a new outage began
  // The outage is over; returns its summary for the log ("after 3 attempts in 42 s; it began
  // with: CAUSE"), or nullopt when there was none.
  std::optional<std::string> end(Clock::time_point now);
  bool ongoing() const { return attempts_ > 0; }

 private:
  std::string first_cause_;
  Clock::time_point began_;
  int attempts_ = 0;
};

}  // namespace contribd
