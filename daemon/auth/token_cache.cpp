#include "daemon/auth/token_cache.h"

#include <algorithm>

namespace contribd::auth {

std::chrono::seconds usable_for(const IssuedToken& token, std::chrono::seconds fallback) {
  const std::chrono::seconds lifetime =
      std::max(token.lifetime.value_or(fallback), std::chrono::seconds::zero());
  if (lifetime >= 2 * kRenewalMargin) return lifetime - kRenewalMargin;
  return lifetime / 2;
}

std::optional<std::string> TokenCache::usable(Clock::time_point now) const {
  if (!value_ || now >= renew_at_) return std::nullopt;
  return value_;
}

void TokenCache::store(const IssuedToken& token, Clock::time_point now) {
  value_ = token.value;
  renew_at_ = now + usable_for(token, fallback_);
}

void TokenCache::invalidate() {
  value_.reset();
}

}  // namespace contribd::auth
