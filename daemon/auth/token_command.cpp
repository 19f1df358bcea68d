#include "daemon/auth/token_command.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "parsers/ascii_text.h"
#include "parsers/printable.h"

extern char** environ;

// g++ 12 at -O2 pairs a coroutine frame's aligned allocation with the frame's sized delete and
// reports a mismatch that is not there (both go through Asio's thread_info_base, which uses
// aligned_alloc and free).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace contribd::auth {
namespace {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

constexpr std::size_t kMaxOutput = 256 * 1024;
constexpr std::size_t kMaxShownStderr = 300;
constexpr auto kReapPoll = std::chrono::milliseconds(20);

std::optional<std::chrono::seconds> parse_expires_in(const nlohmann::json& value) {
  if (value.is_number_integer() || value.is_number_unsigned()) {
    return std::chrono::seconds(value.get<std::int64_t>());
  }
  if (value.is_number_float())
    return std::chrono::seconds(static_cast<std::int64_t>(value.get<double>()));
  if (value.is_string()) {
    try {
      return std::chrono::seconds(std::stoll(value.get<std::string>()));
    } catch (const std::exception&) {
    }
  }
  return std::nullopt;
}

// The last non-empty line of what the command said on stderr, printable and bounded: where a
// one-line message is, and where a Python traceback or a log puts the final error.
std::string last_line(const std::string& text) {
  const std::string_view trimmed = ascii::trim(text);
  const std::size_t newline = trimmed.rfind('\n');
  return printable(
      ascii::trim(newline == std::string_view::npos ? trimmed : trimmed.substr(newline + 1)),
      kMaxShownStderr);
}

// Both ends of a pipe, closed on every path.
struct Pipe {
  Pipe() = default;
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  bool open() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    read_end = fds[0];
    write_end = fds[1];
    return true;
  }
  int read_end = -1;
  int write_end = -1;
  ~Pipe() {
    if (read_end >= 0) ::close(read_end);
    if (write_end >= 0) ::close(write_end);
  }
};

asio::awaitable<void> read_all(asio::posix::stream_descriptor& pipe, std::string& out) {
  char chunk[8192];
  for (;;) {
    const auto [ec, n] =
        co_await pipe.async_read_some(asio::buffer(chunk), asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;  // end of file, or the pipe went away with the command
    if (out.size() < kMaxOutput) out.append(chunk, std::min(n, kMaxOutput - out.size()));
  }
}

}  // namespace

std::variant<IssuedToken, std::string> parse_command_output(const std::string& output) {
  const std::string text(ascii::trim(output));
  if (text.empty()) return std::string("printed nothing on stdout");
  if (text.front() == '{') {
    const nlohmann::json object = nlohmann::json::parse(text, nullptr, false);
    if (!object.is_object()) return std::string("printed a '{' line that is not a JSON object");
    const auto token = object.find("access_token");
    if (token == object.end() || !token->is_string()) {
      return std::string("printed JSON without a string \"access_token\"");
    }
    IssuedToken issued{token->get<std::string>(), std::nullopt};
    if (const auto expires = object.find("expires_in"); expires != object.end()) {
      issued.lifetime = parse_expires_in(*expires);
      if (!issued.lifetime) return std::string("printed JSON whose \"expires_in\" is not a number");
    }
    return issued;
  }
  if (text.find('\n') != std::string::npos) {
    return std::string("printed several lines; expected the token alone or a JSON object");
  }
  return IssuedToken{text, std::nullopt};
}

TokenCommand::TokenCommand(std::vector<std::string> argv, std::chrono::seconds timeout)
    : argv_(std::move(argv)), timeout_(timeout) {}

asio::awaitable<IssuedToken> TokenCommand::fetch() {
  const std::string name = fmt::format("token_command {}", argv_.empty() ? "" : argv_.front());
  const auto fail = [&](std::string_view why) {
    return TokenError(fmt::format("{}: {}", name, why));
  };
  if (argv_.empty()) throw fail("is empty");
  Pipe out, err;
  if (!out.open() || !err.open()) {
    throw fail(fmt::format("cannot create a pipe: {}", std::strerror(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out.write_end, 1);
  posix_spawn_file_actions_adddup2(&actions, err.write_end, 2);
  std::vector<char*> args;
  for (const std::string& arg : argv_) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) throw fail(fmt::format("cannot run: {}", std::strerror(spawned)));
  ::close(std::exchange(out.write_end, -1));
  ::close(std::exchange(err.write_end, -1));

  const auto executor = co_await asio::this_coro::executor;
  asio::posix::stream_descriptor stdout_pipe(executor, std::exchange(out.read_end, -1));
  asio::posix::stream_descriptor stderr_pipe(executor, std::exchange(err.read_end, -1));
  std::string output, errors;
  asio::steady_timer deadline(executor, timeout_);
  const auto finished =
      co_await ((read_all(stdout_pipe, output) && read_all(stderr_pipe, errors)) ||
                deadline.async_wait(asio::as_tuple(asio::use_awaitable)));
  int status = 0;
  bool timed_out = finished.index() == 1;
  // The pipes are closed: wait for the command itself, polling so that a command that lingers
  // after closing its output cannot block the daemon's other work.
  while (!timed_out) {
    const pid_t reaped = ::waitpid(pid, &status, WNOHANG);
    if (reaped == pid || (reaped < 0 && errno != EINTR)) break;
    if (Clock::now() >= deadline.expiry()) {
      timed_out = true;
      break;
    }
    asio::steady_timer pause(executor, kReapPoll);
    co_await pause.async_wait(asio::use_awaitable);
  }
  if (timed_out) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    throw fail(fmt::format("killed after {} s without finishing", timeout_.count()));
  }
  if (WIFSIGNALED(status)) throw fail(fmt::format("killed by signal {}", WTERMSIG(status)));
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    const std::string said = last_line(errors);
    throw fail(fmt::format("exited with status {}{}{}", WEXITSTATUS(status),
                           said.empty() ? "" : ": ", said));
  }
  auto parsed = parse_command_output(output);
  if (auto* why = std::get_if<std::string>(&parsed)) throw fail(*why);
  co_return std::get<IssuedToken>(std::move(parsed));
}

}  // namespace contribd::auth
