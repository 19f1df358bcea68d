// When an access token may still be used. Pure: the caller passes the time, so that a unit test
// states a rule in three lines.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace contribd::auth {

using Clock = std::chrono::steady_clock;

// A token as a provider or a command handed it out. `lifetime` is the provider's expires_in,
// or nullopt when it did not say.
struct IssuedToken {
  std::string value;
  std::optional<std::chrono::seconds> lifetime;
};

// How long a token counts as usable: the provider's lifetime when given, else `fallback`
// (the configured reuse time), in either case ending `kRenewalMargin` early, so that a token is
// never sent in the last seconds of its life; a lifetime shorter than twice the margin ends at
// half of it instead.
inline constexpr std::chrono::seconds kRenewalMargin{60};
std::chrono::seconds usable_for(const IssuedToken& token, std::chrono::seconds fallback);

class TokenCache {
 public:
  explicit TokenCache(std::chrono::seconds fallback_lifetime) : fallback_(fallback_lifetime) {}

  // The cached token while `now` is before its renewal time; nullopt when there is none, it is
  // due for renewal, or it was invalidated.
  std::optional<std::string> usable(Clock::time_point now) const;
  // Replaces the cached token with one obtained at `now`.
  void store(const IssuedToken& token, Clock::time_point now);
  // The server refused the token: never hand it out again.
  void invalidate();

 private:
  std::chrono::seconds fallback_;
  std::optional<std::string> value_;
  Clock::time_point renew_at_{};
};

}  // namespace contribd::auth
