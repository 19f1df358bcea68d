#include "daemon/reconnect.h"

#include <fmt/format.h>

#include <algorithm>

namespace contribd {

ReconnectBackoff::ReconnectBackoff(std::chrono::seconds initial, std::chrono::seconds cap)
    : initial_(std::max(initial, std::chrono::seconds(1))),
      cap_(std::max(cap, initial_)),
      base_(initial_) {}

std::chrono::milliseconds ReconnectBackoff::next(double random_fraction,
                                                 std::optional<std::chrono::seconds> at_least) {
  if (at_least) base_ = std::max(base_, *at_least);
  const std::chrono::milliseconds base = base_;
  const double fraction = std::clamp(random_fraction, 0.0, 0.999);
  const auto jitter = std::chrono::milliseconds(
      static_cast<std::int64_t>(static_cast<double>(base.count()) * 0.25 * fraction));
  // A throttled wait above the cap is kept for the rest of the outage; others double to the cap.
  base_ = std::min(base_ * 2, std::max(cap_, base_));
  return base + jitter;
}

void ReconnectBackoff::reset() {
  base_ = initial_;
}

std::optional<std::chrono::seconds> throttled_wait(const imap::Condition& condition) {
  if (condition.code != imap::KnownCode::throttled) return std::nullopt;
  if (!condition.wait || condition.wait->count() <= 0) return kThrottledWait;
  return std::min(*condition.wait, kMaxThrottledWait);
}

bool Outage::fail(std::string_view cause, Clock::time_point now) {
  ++attempts_;
  if (attempts_ > 1) return false;
  first_cause_ = std::string(cause);
  began_ = now;
  return true;
}

std::optional<std::string> Outage::end(Clock::time_point now) {
  if (attempts_ == 0) return std::nullopt;
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now - began_).count();
  std::string summary = fmt::format("after {} failed attempt{} in {} s; it began with: {}",
                                    attempts_, attempts_ == 1 ? "" : "s", seconds, first_cause_);
  attempts_ = 0;
  first_cause_.clear();
  return summary;
}

}  // namespace contribd
