#include "daemon/intake/extraction_jail.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>
#include <nlohmann/json.hpp>
#include <system_error>
#include <vector>

#include "daemon/intake/cover_sheets.h"
#include "daemon/json_optional.h"
#include "storage/file_descriptor.h"

extern char** environ;

namespace contribd {
namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

// The descriptor the child finds its socket on.
constexpr int kChildSocket = 3;
// No request or answer comes near this; a larger length is a broken stream.
constexpr std::uint64_t kMaxFrame = 256ull << 20;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

[[noreturn]] void fail_system(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), "extraction process: " + what);
}

// Writes all of `bytes`; the first piece carries `pass_fd` (SCM_RIGHTS) when it is >= 0.
void send_all(int socket, std::string_view bytes, int pass_fd) {
  bool first = true;
  while (!bytes.empty()) {
    iovec piece{const_cast<char*>(bytes.data()), bytes.size()};
    msghdr header{};
    header.msg_iov = &piece;
    header.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    if (first && pass_fd >= 0) {
      header.msg_control = control;
      header.msg_controllen = sizeof(control);
      cmsghdr* message = CMSG_FIRSTHDR(&header);
      message->cmsg_level = SOL_SOCKET;
      message->cmsg_type = SCM_RIGHTS;
      message->cmsg_len = CMSG_LEN(sizeof(int));
      std::memcpy(CMSG_DATA(message), &pass_fd, sizeof(int));
    }
    const ssize_t sent = ::sendmsg(socket, &header, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0) fail_system("send");
    first = false;
    bytes.remove_prefix(static_cast<std::size_t>(sent));
  }
}

void send_frame(int socket, const std::vector<std::uint8_t>& payload, int pass_fd = -1) {
  std::string frame(8, '\0');
  const std::uint64_t length = payload.size();
  std::memcpy(frame.data(), &length, sizeof(length));
  frame.append(payload.begin(), payload.end());
  send_all(socket, frame, pass_fd);
}

enum class ReadResult { done, closed, timed_out, aborted };

// Waits until `socket` is readable, `deadline` passes (none: forever) or `*stop` turns true
// (looked at every 100 ms, so that a stop request never waits out the budget).
ReadResult wait_readable(int socket, std::optional<Clock::time_point> deadline,
                         const std::atomic<bool>* stop = nullptr) {
  constexpr std::int64_t kStopCheckMs = 100;
  for (;;) {
    if (stop != nullptr && *stop) return ReadResult::aborted;
    std::int64_t timeout_ms = stop != nullptr ? kStopCheckMs : -1;
    if (deadline) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now());
      if (left.count() <= 0) return ReadResult::timed_out;
      timeout_ms = std::min<std::int64_t>(left.count(), stop != nullptr ? kStopCheckMs : 1 << 30);
    }
    pollfd watched{socket, POLLIN, 0};
    const int ready = ::poll(&watched, 1, static_cast<int>(timeout_ms));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) fail_system("poll");
    if (ready > 0) return ReadResult::done;
  }
}

// Reads exactly `size` bytes into `out`; a descriptor passed along is stored in `*received`.
ReadResult read_exactly(int socket, char* out, std::size_t size,
                        std::optional<Clock::time_point> deadline, int* received,
                        const std::atomic<bool>* stop) {
  std::size_t done = 0;
  while (done < size) {
    const ReadResult ready = wait_readable(socket, deadline, stop);
    if (ready != ReadResult::done) return ready;
    iovec piece{out + done, size - done};
    msghdr header{};
    header.msg_iov = &piece;
    header.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    header.msg_control = control;
    header.msg_controllen = sizeof(control);
    const ssize_t got = ::recvmsg(socket, &header, MSG_CMSG_CLOEXEC);
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (got < 0 && errno == ECONNRESET) return ReadResult::closed;
    if (got < 0) fail_system("receive");
    if (got == 0) return ReadResult::closed;
    for (cmsghdr* message = CMSG_FIRSTHDR(&header); message != nullptr;
         message = CMSG_NXTHDR(&header, message)) {
      if (message->cmsg_level == SOL_SOCKET && message->cmsg_type == SCM_RIGHTS) {
        int fd = -1;
        std::memcpy(&fd, CMSG_DATA(message), sizeof(int));
        if (received != nullptr && *received < 0) {
          *received = fd;
        } else {
          ::close(fd);
        }
      }
    }
    done += static_cast<std::size_t>(got);
  }
  return ReadResult::done;
}

ReadResult receive_frame(int socket, std::vector<std::uint8_t>& payload,
                         std::optional<Clock::time_point> deadline, int* received = nullptr,
                         const std::atomic<bool>* stop = nullptr) {
  std::uint64_t length = 0;
  ReadResult result = read_exactly(socket, reinterpret_cast<char*>(&length), sizeof(length),
                                   deadline, received, stop);
  if (result != ReadResult::done) return result;
  if (length > kMaxFrame) {
    throw std::runtime_error(fmt::format("extraction process: a frame of {} bytes", length));
  }
  payload.resize(static_cast<std::size_t>(length));
  return read_exactly(socket, reinterpret_cast<char*>(payload.data()), payload.size(), deadline,
                      nullptr, stop);
}

// --- What crosses the socket ---

Json limits_to_json(const mime::ExtractLimits& limits) {
  return {{"max_parts", limits.max_parts},
          {"max_depth", limits.max_depth},
          {"max_header_bytes", limits.max_header_bytes},
          {"max_header_field_bytes", limits.max_header_field_bytes},
          {"max_header_lines", limits.max_header_lines},
          {"max_file_bytes", limits.max_file_bytes},
          {"whole_in_memory_bytes", limits.whole_in_memory_bytes}};
}

mime::ExtractLimits limits_from_json(const Json& json) {
  mime::ExtractLimits limits;
  limits.max_parts = json.at("max_parts").get<std::size_t>();
  limits.max_depth = json.at("max_depth").get<int>();
  limits.max_header_bytes = json.at("max_header_bytes").get<std::size_t>();
  limits.max_header_field_bytes = json.at("max_header_field_bytes").get<std::size_t>();
  limits.max_header_lines = json.at("max_header_lines").get<std::size_t>();
  limits.max_file_bytes = json.at("max_file_bytes").get<std::uint64_t>();
  limits.whole_in_memory_bytes = json.at("whole_in_memory_bytes").get<std::uint64_t>();
  return limits;
}

// CBOR keeps strings as bytes: raw header values that are not UTF-8 cross unchanged.
Json message_to_json(const mime::ParsedMessage& message) {
  Json headers = Json::array();
  for (const auto& field : message.headers) headers.push_back({field.name, field.value});
  Json files = Json::array();
  for (const auto& file : message.files) {
    files.push_back({{"filename", file.filename},
                     {"content_type", file.content_type},
                     {"sha256", file.sha256_hex},
                     {"size", file.size},
                     {"path", file.spooled_path},
                     {"docx", file.docx ? docx_reading_to_json(*file.docx) : Json(nullptr)}});
  }
  return {{"subject", message.subject},
          {"message_id", message.message_id},
          {"from_address", message.from_address},
          {"from_display", message.from_display},
          {"reply_to_address", message.reply_to_address},
          {"return_path", json_or_null(message.return_path)},
          {"in_reply_to", message.in_reply_to},
          {"references", message.references},
          {"top_content_type", message.top_content_type},
          {"headers", headers},
          {"files", files},
          {"defects", message.defects},
          {"raw_sha256", message.raw_sha256_hex},
          {"over_limit", json_or_null(message.over_limit)}};
}

mime::ParsedMessage message_from_json(const Json& json) {
  mime::ParsedMessage message;
  message.subject = json.at("subject").get<std::string>();
  message.message_id = json.at("message_id").get<std::string>();
  message.from_address = json.at("from_address").get<std::string>();
  message.from_display = json.at("from_display").get<std::string>();
  message.reply_to_address = json.at("reply_to_address").get<std::string>();
  message.return_path = optional_string(json.at("return_path"));
  message.in_reply_to = json.at("in_reply_to").get<std::string>();
  message.references = json.at("references").get<std::string>();
  message.top_content_type = json.at("top_content_type").get<std::string>();
  for (const auto& field : json.at("headers")) {
    message.headers.push_back({field.at(0).get<std::string>(), field.at(1).get<std::string>()});
  }
  for (const auto& item : json.at("files")) {
    mime::ExtractedFile file;
    file.filename = item.at("filename").get<std::string>();
    file.content_type = item.at("content_type").get<std::string>();
    file.sha256_hex = item.at("sha256").get<std::string>();
    file.size = item.at("size").get<std::uint64_t>();
    file.spooled_path = item.at("path").get<std::string>();
    if (const Json& docx = item.at("docx"); !docx.is_null())
      file.docx = docx_reading_from_json(docx);
    message.files.push_back(std::move(file));
  }
  message.defects = json.at("defects").get<std::vector<std::string>>();
  message.raw_sha256_hex = json.at("raw_sha256").get<std::string>();
  message.over_limit = optional_string(json.at("over_limit"));
  return message;
}

std::vector<std::uint8_t> cbor(const Json& json) {
  return Json::to_cbor(json);
}

// --- The child ---

void write_whole(int fd, std::string_view bytes, const std::string& name) {
  if (const int error = storage::write_all(fd, bytes)) {
    throw std::system_error(error, std::generic_category(), "write the part file " + name);
  }
}

// Files the extraction kept in memory (small messages, TNEF contents) go into part files too,
// so that the answer carries names, never contents.
void spool_in_memory_files(mime::ParsedMessage& message, PartSink& sink) {
  for (mime::ExtractedFile& file : message.files) {
    if (!file.spooled_path.empty()) continue;
    const mime::FileSink::Target target = sink.create();
    write_whole(target.fd, file.data, target.name);
    file.spooled_path = target.name;
    std::string().swap(file.data);
  }
}

Json serve_request(const Json& request, int message_fd) {
  PartSink sink(request.at("folder").get<std::string>());
  try {
    mime::ParsedMessage message = mime::extract_message_from_file(
        message_fd, request.at("offset").get<std::uint64_t>(),
        request.at("length").get<std::uint64_t>(), limits_from_json(request.at("limits")), sink);
    if (!message.over_limit) {
      // Read while the files kept in memory are still there: reading them back from the part
      // files would cost an open, a mapping and its unmapping (a TLB flush on every core).
      read_cover_sheets(message);
      spool_in_memory_files(message, sink);
    }
    if (message.over_limit) message.files.clear();  // held: its files are not kept
    Json answer = {{"ok", true}, {"message", message_to_json(message)}};
    if (!message.over_limit) sink.release();  // the parent owns them now
    return answer;
  } catch (const std::bad_alloc&) {
    return {{"ok", false}, {"memory", true}, {"error", "out of memory"}};
  }
}

void limit_own_memory(std::uint64_t memory_bytes) {
  if (memory_bytes == 0 || !memory_limit_applies()) return;
  const rlimit limit{memory_bytes, memory_bytes};
  ::setrlimit(RLIMIT_AS, &limit);
}

std::string signal_name(int number) {
  const char* name = ::sigdescr_np(number);
  return name ? name : fmt::format("signal {}", number);
}

}  // namespace

// --- The parent ---

bool memory_limit_applies() {
  return !kAddressSanitizer;
}

ExtractionJail::ExtractionJail(JailLimits limits) : limits_(std::move(limits)) {}

ExtractionJail::~ExtractionJail() {
  stop_child();
}

void ExtractionJail::start() {
  int sockets[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) != 0) fail_system("socketpair");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // dup2 clears close-on-exec on the copy: the child keeps exactly this descriptor.
  posix_spawn_file_actions_adddup2(&actions, sockets[1], kChildSocket);
  const std::string program = limits_.worker.string();
  const std::string memory = std::to_string(limits_.memory_bytes);
  std::vector<char*> argv{const_cast<char*>("contribd"), const_cast<char*>("extract-worker"),
                          const_cast<char*>("--memory"), const_cast<char*>(memory.c_str()),
                          nullptr};
  pid_t pid = -1;
  const int error = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(sockets[1]);
  if (error != 0) {
    ::close(sockets[0]);
    errno = error;
    fail_system("start " + program);
  }
  socket_ = sockets[0];
  child_ = pid;
}

void ExtractionJail::stop_child() {
  if (socket_ >= 0) {
    ::close(socket_);
    socket_ = -1;
  }
  const pid_t pid = child_.exchange(-1);
  if (pid > 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
}

std::string ExtractionJail::describe_death() {
  const pid_t pid = child_.exchange(-1);
  if (socket_ >= 0) {
    ::close(socket_);
    socket_ = -1;
  }
  if (pid <= 0) return "the extraction process is gone";
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return "the extraction process is gone";
  if (WIFSIGNALED(status)) {
    const int number = WTERMSIG(status);
    std::string text = fmt::format("the extraction process died of {}", signal_name(number));
    if (number == SIGABRT || number == SIGSEGV || number == SIGKILL) {
      text += fmt::format(" (it may have run out of its {} MiB, limits.parser_memory_bytes)",
                          limits_.memory_bytes >> 20);
    }
    return text;
  }
  return fmt::format("the extraction process exited with status {}", WEXITSTATUS(status));
}

void ExtractionJail::abort() {
  aborted_ = true;
  const pid_t pid = child_.load();
  if (pid > 0) ::kill(pid, SIGKILL);
}

mime::ParsedMessage ExtractionJail::extract(int fd, std::uint64_t offset, std::uint64_t length,
                                            const mime::ExtractLimits& limits, PartSink& sink) {
  const std::lock_guard<std::mutex> turn(one_message_at_a_time_);
  if (aborted_) throw ExtractionAborted("the extraction was stopped");
  const Json request = {{"offset", offset},
                        {"length", length},
                        {"folder", sink.folder().string()},
                        {"limits", limits_to_json(limits)}};
  const std::vector<std::uint8_t> payload = cbor(request);
  // A child that died while idle (killed by someone) is noticed at the send: start it again.
  for (int attempt = 0;; ++attempt) {
    if (socket_ < 0) start();
    try {
      send_frame(socket_, payload, fd);
      break;
    } catch (const std::system_error&) {
      describe_death();
      if (attempt > 0) throw;
    }
  }
  std::vector<std::uint8_t> answer;
  const ReadResult result =
      receive_frame(socket_, answer, Clock::now() + limits_.budget, nullptr, &aborted_);
  if (aborted_ || result == ReadResult::aborted) {
    stop_child();
    throw ExtractionAborted("the extraction was stopped");
  }
  if (result == ReadResult::timed_out) {
    stop_child();
    throw ParserContained(fmt::format(
        "taking it apart took longer than {} s (limits.message_seconds); the extraction "
        "process was stopped",
        limits_.budget.count()));
  }
  if (result == ReadResult::closed) throw ParserContained(describe_death());
  const Json reply = Json::from_cbor(answer, true, false);
  if (reply.is_discarded() || !reply.contains("ok")) {
    stop_child();
    throw std::runtime_error("extraction process: an unreadable answer");
  }
  if (!reply.at("ok").get<bool>()) {
    const std::string error = reply.value("error", std::string("unknown error"));
    if (reply.value("memory", false)) {
      stop_child();  // its heap may be in any state now
      throw ParserContained(
          fmt::format("taking it apart needed more than {} MiB "
                      "(limits.parser_memory_bytes)",
                      limits_.memory_bytes >> 20));
    }
    if (reply.contains("system")) {
      throw std::system_error(reply.at("system").get<int>(), std::generic_category(),
                              "extraction process: " + error);
    }
    throw std::runtime_error("extraction process: " + error);
  }
  mime::ParsedMessage message = message_from_json(reply.at("message"));
  for (const mime::ExtractedFile& file : message.files) sink.adopt(file.spooled_path);
  return message;
}

// Every message allocates and frees the same few buffers of its own size (the message read,
// the decoded files). With glibc's defaults, those above 128 KiB come from mmap and the heap's
// top is handed back after each message, so every message pays again in page faults (a third
// of this process's time on a backlog of 0.3 MB messages). Kept instead, up to sizes that the
// memory limit bounds anyway.
namespace {
void keep_freed_memory() {
  constexpr int kFromTheHeapBelow = 32 << 20;  // larger buffers still come from mmap
  constexpr int kKeptAtTheTop = 64 << 20;
  ::mallopt(M_MMAP_THRESHOLD, kFromTheHeapBelow);
  ::mallopt(M_TRIM_THRESHOLD, kKeptAtTheTop);
}
}  // namespace

int run_extract_worker(int socket_fd, std::uint64_t memory_bytes) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() == 1) return 1;  // the parent died before the line above
  ::close_range(static_cast<unsigned>(socket_fd) + 1, ~0U, 0);
  ::signal(SIGPIPE, SIG_IGN);
  limit_own_memory(memory_bytes);
  keep_freed_memory();
  for (;;) {
    std::vector<std::uint8_t> payload;
    int message_fd = -1;
    if (receive_frame(socket_fd, payload, std::nullopt, &message_fd) != ReadResult::done) return 0;
    Json answer;
    try {
      const Json request = Json::from_cbor(payload);
      if (message_fd < 0) throw std::runtime_error("no message descriptor came with the request");
      answer = serve_request(request, message_fd);
    } catch (const std::bad_alloc&) {
      answer = {{"ok", false}, {"memory", true}, {"error", "out of memory"}};
    } catch (const std::system_error& error) {
      // The environment (a full disk, a missing folder), not the message.
      answer = {{"ok", false}, {"system", error.code().value()}, {"error", error.what()}};
    } catch (const std::exception& error) {
      answer = {{"ok", false}, {"error", error.what()}};
    }
    if (message_fd >= 0) ::close(message_fd);
    try {
      send_frame(socket_fd, cbor(answer));
    } catch (const std::exception&) {
      return 1;  // the parent is gone
    }
  }
}

}  // namespace contribd
