#include "daemon/auth/token_source.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace contribd::auth {

constexpr std::size_t kMaxTokenBytes = 64 * 1024;

std::string token_text_problem(const std::string& token) {
  if (token.empty()) return "the token is empty";
  if (token.size() > kMaxTokenBytes) {
    return fmt::format("the token is {} bytes long, more than the {} accepted", token.size(),
                       kMaxTokenBytes);
  }
  const bool clean = std::all_of(token.begin(), token.end(), [](char c) {
    return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f;
  });
  if (!clean) return "the token holds spaces or control characters";
  return {};
}

CachingTokenSource::CachingTokenSource(std::string account, std::unique_ptr<TokenFetcher> fetcher,
                                       std::chrono::seconds fallback_lifetime)
    : account_(std::move(account)), fetcher_(std::move(fetcher)), cache_(fallback_lifetime) {}

boost::asio::awaitable<std::string> CachingTokenSource::access_token(bool fresh) {
  if (fresh) cache_.invalidate();
  if (auto cached = cache_.usable(Clock::now())) co_return std::move(*cached);
  IssuedToken token;
  try {
    token = co_await fetcher_->fetch();
  } catch (const TokenError& error) {
    throw TokenError(fmt::format("no access token for {}: {}", account_, error.what()));
  }
  if (const std::string problem = token_text_problem(token.value); !problem.empty()) {
    throw TokenError(fmt::format("no usable access token for {}: {}", account_, problem));
  }
  cache_.store(token, Clock::now());
  spdlog::debug("new access token for {}, {}", account_,
                token.lifetime ? fmt::format("expires in {} s", token.lifetime->count())
                               : std::string("no expiry given"));
  co_return std::move(token.value);
}

}  // namespace contribd::auth
