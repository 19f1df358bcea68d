// Tokens from an operator's command, run for real, and the cache in front of every source.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "daemon/auth/token_command.h"

namespace contribd::auth {
namespace {

namespace asio = boost::asio;
using ::testing::HasSubstr;
using ::testing::Not;

template <typename T>
T run(asio::awaitable<T> task) {
  asio::io_context io;
  std::optional<T> result;
  std::exception_ptr failure;
  asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
    failure = e;
    if (!e) result = std::move(value);
  });
  io.run();
  if (failure) std::rethrow_exception(failure);
  return std::move(*result);
}

std::string error_of(TokenFetcher& fetcher) {
  try {
    run(fetcher.fetch());
  } catch (const TokenError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no TokenError";
  return "";
}

TEST(AuthTokenCommand, OutputIsTheTokenAloneOrJson) {
  EXPECT_EQ(std::get<IssuedToken>(parse_command_output("  ya29.abc \n")).value, "ya29.abc");
  const auto json = std::get<IssuedToken>(parse_command_output(
      R"({"access_token": "eyJ0", "expires_in": 3599, "token_type": "Bearer"})"));
  EXPECT_EQ(json.value, "eyJ0");
  EXPECT_EQ(json.lifetime, std::chrono::seconds(3599));
  EXPECT_EQ(std::get<IssuedToken>(parse_command_output(R"({"access_token":"a","expires_in":"30"})"))
                .lifetime,
            std::chrono::seconds(30));
}

TEST(AuthTokenCommand, UnusableOutputIsExplainedWithoutRepeatingIt) {
  EXPECT_EQ(std::get<std::string>(parse_command_output("\n")), "printed nothing on stdout");
  EXPECT_THAT(std::get<std::string>(parse_command_output("secret1\nsecret2")),
              Not(HasSubstr("secret")));
  EXPECT_THAT(std::get<std::string>(parse_command_output(R"({"token":"secret"})")),
              HasSubstr("access_token"));
  EXPECT_THAT(
      std::get<std::string>(parse_command_output(R"({"access_token":"a","expires_in":"x"})")),
      HasSubstr("expires_in"));
}

TEST(AuthTokenCommand, RunsTheArgvWithoutAShell) {
  TokenCommand command({"printf", "%s", "tok;$HOME"}, std::chrono::seconds(10));
  EXPECT_EQ(run(command.fetch()).value, "tok;$HOME");
}

TEST(AuthTokenCommand, FailureNamesTheCommandStatusAndItsLastStderrLine) {
  TokenCommand command({"sh", "-c",
                        "echo not-a-token; echo 'Traceback:' >&2; echo 'refresh token revoked' "
                        ">&2; echo >&2; exit 3"},
                       std::chrono::seconds(10));
  const std::string error = error_of(command);
  EXPECT_EQ(error, "token_command sh: exited with status 3: refresh token revoked");
}

TEST(AuthTokenCommand, MissingProgramAndTimeoutAreErrors) {
  TokenCommand missing({"/nonexistent/get-token"}, std::chrono::seconds(10));
  EXPECT_THAT(error_of(missing), HasSubstr("cannot run: No such file or directory"));
  TokenCommand slow({"sleep", "10"}, std::chrono::seconds(1));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(error_of(slow), "token_command sleep: killed after 1 s without finishing");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

// Hands out "token-1", "token-2", ... with the given lifetime, counting its calls.
class CountingFetcher final : public TokenFetcher {
 public:
  explicit CountingFetcher(std::optional<std::chrono::seconds> lifetime, int* calls)
      : lifetime_(lifetime), calls_(calls) {}
  asio::awaitable<IssuedToken> fetch() override {
    ++*calls_;
    co_return IssuedToken{"token-" + std::to_string(*calls_), lifetime_};
  }

 private:
  std::optional<std::chrono::seconds> lifetime_;
  int* calls_;
};

TEST(AuthTokenSource, ReusesTheTokenUntilTheServerRefusesIt) {
  int calls = 0;
  CachingTokenSource source("alice@itu.test",
                            std::make_unique<CountingFetcher>(std::chrono::seconds(3600), &calls),
                            std::chrono::seconds(300));
  EXPECT_EQ(run(source.access_token(false)), "token-1");
  EXPECT_EQ(run(source.access_token(false)), "token-1");
  EXPECT_EQ(run(source.access_token(true)), "token-2");
  EXPECT_EQ(run(source.access_token(false)), "token-2");
  EXPECT_EQ(calls, 2);
}

TEST(AuthTokenSource, ShortLivedTokensAreFetchedForEveryUse) {
  int calls = 0;
  CachingTokenSource source("alice@itu.test",
                            std::make_unique<CountingFetcher>(std::chrono::seconds(1), &calls),
                            std::chrono::seconds(300));
  EXPECT_EQ(run(source.access_token(false)), "token-1");
  EXPECT_EQ(run(source.access_token(false)), "token-2");
}

TEST(AuthTokenSource, ErrorsNameTheAccountAndRefuseUnsafeTokens) {
  CachingTokenSource failing(
      "alice@itu.test",
      std::make_unique<TokenCommand>(std::vector<std::string>{"false"}, std::chrono::seconds(5)),
      std::chrono::seconds(300));
  try {
    run(failing.access_token(false));
    ADD_FAILURE() << "no TokenError";
  } catch (const TokenError& e) {
    EXPECT_STREQ(e.what(),
                 "no access token for alice@itu.test: token_command false: exited with "
                 "status 1");
  }
  CachingTokenSource spaced(
      "alice@itu.test",
      std::make_unique<TokenCommand>(
          std::vector<std::string>{"echo", "{\"access_token\": \"a b\"}"}, std::chrono::seconds(5)),
      std::chrono::seconds(300));
  try {
    run(spaced.access_token(false));
    ADD_FAILURE() << "no TokenError";
  } catch (const TokenError& e) {
    EXPECT_THAT(e.what(), HasSubstr("spaces or control characters"));
  }
}

}  // namespace
}  // namespace contribd::auth
