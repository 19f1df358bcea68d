#include "daemon/reconnect.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

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

std::optional<std::chrono::seconds> throttled_wait(std::string_view error_text) {
  constexpr std::string_view code = "[THROTTLED";
  const std::size_t at = error_text.find(code);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = error_text.substr(at + code.size());
  if (rest.empty() || (rest.front() != ']' && rest.front() != ' ')) return std::nullopt;
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  std::int64_t seconds = 0;
  const auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), seconds);
  if (error != std::errc() || seconds <= 0) return kThrottledWait;
  return std::min(std::chrono::seconds(seconds), kMaxThrottledWait);
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
