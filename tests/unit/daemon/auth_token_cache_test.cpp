// When a cached access token is still handed out, and when it is renewed.
#include <gtest/gtest.h>

#include "daemon/auth/token_cache.h"

namespace contribd::auth {
namespace {

using std::chrono::seconds;

TEST(AuthTokenCache, ProviderLifetimeEndsAMinuteEarly) {
  EXPECT_EQ(usable_for(IssuedToken{"t", seconds(3599)}, seconds(300)), seconds(3539));
}

TEST(AuthTokenCache, WithoutExpiresInTheConfiguredReuseTimeApplies) {
  EXPECT_EQ(usable_for(IssuedToken{"t", std::nullopt}, seconds(300)), seconds(240));
}

TEST(AuthTokenCache, ShortLifetimesEndAtHalfAndNeverBelowZero) {
  EXPECT_EQ(usable_for(IssuedToken{"t", seconds(100)}, seconds(300)), seconds(50));
  EXPECT_EQ(usable_for(IssuedToken{"t", seconds(1)}, seconds(300)), seconds(0));
  EXPECT_EQ(usable_for(IssuedToken{"t", seconds(-3600)}, seconds(300)), seconds(0));
}

TEST(AuthTokenCache, TokenIsReusedUntilItsRenewalTime) {
  TokenCache cache(seconds(300));
  const Clock::time_point t0{};
  EXPECT_FALSE(cache.usable(t0));
  cache.store(IssuedToken{"first", seconds(3600)}, t0);
  EXPECT_EQ(cache.usable(t0 + seconds(3539)), "first");
  EXPECT_FALSE(cache.usable(t0 + seconds(3540)));
}

TEST(AuthTokenCache, ExpiredOnArrivalIsNeverReused) {
  TokenCache cache(seconds(300));
  const Clock::time_point t0{};
  cache.store(IssuedToken{"short", seconds(1)}, t0);
  EXPECT_FALSE(cache.usable(t0));
}

TEST(AuthTokenCache, InvalidatedTokenIsGoneAndANewOneReplacesIt) {
  TokenCache cache(seconds(300));
  const Clock::time_point t0{};
  cache.store(IssuedToken{"refused", seconds(3600)}, t0);
  cache.invalidate();
  EXPECT_FALSE(cache.usable(t0));
  cache.store(IssuedToken{"fresh", std::nullopt}, t0 + seconds(10));
  EXPECT_EQ(cache.usable(t0 + seconds(249)), "fresh");
  EXPECT_FALSE(cache.usable(t0 + seconds(250)));
}

}  // namespace
}  // namespace contribd::auth
