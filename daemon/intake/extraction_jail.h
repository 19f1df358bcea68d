// Where messages are taken apart: in a child process of our own binary ("contribd
// extract-worker"), so that a parser that hangs, crashes or runs out of memory on one hostile
// message (GMime, libytnef) costs that message and its time budget, never the daemon. The child
// lives as long as the jail and is started again after it died; it limits its own address space
// (RLIMIT_AS) and dies with its parent (PR_SET_PDEATHSIG).
//
// The message stays where the IMAP fetch spooled it: its file descriptor is passed over a Unix
// socket (SCM_RIGHTS), the decoded files are written by the child into the part folder, and the
// parsed facts come back in CBOR. Nothing of the message passes through the parent's memory.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string>

#include "daemon/intake/part_sink.h"
#include "parsers/mime_extract.h"

namespace contribd {

// The child died, was killed at the end of the time budget, or ran out of memory while taking
// this message apart: the message is to be held for a person, not tried again.
class ParserContained : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The jail was stopped (abort()) while a message was in hand: not the message's fault.
class ExtractionAborted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct JailLimits {
  std::chrono::seconds budget{60};          // wall-clock time for one message
  std::uint64_t memory_bytes = 1ull << 30;  // the child's address space; 0: unlimited
  std::filesystem::path worker = "/proc/self/exe";
};

class ExtractionJail {
 public:
  explicit ExtractionJail(JailLimits limits);
  ~ExtractionJail();
  ExtractionJail(const ExtractionJail&) = delete;
  ExtractionJail& operator=(const ExtractionJail&) = delete;

  // The message in [offset, offset + length) of `fd`, taken apart by the child. Every file comes
  // back spooled (ExtractedFile::spooled_path, owned by `sink` from now on). Throws
  // ParserContained (hold the message), ExtractionAborted, or std::runtime_error for anything
  // else that failed (the child could not be started, it reported an error such as a full disk).
  // Callers on several threads take turns: the child takes one message at a time.
  mime::ParsedMessage extract(int fd, std::uint64_t offset, std::uint64_t length,
                              const mime::ExtractLimits& limits, PartSink& sink);

  // From any thread: ends the message in hand at once (a stop request); the caller of
  // extract() gets ExtractionAborted.
  void abort();

  const JailLimits& limits() const { return limits_; }

 private:
  void start();
  void stop_child();
  std::string describe_death();

  JailLimits limits_;
  std::mutex one_message_at_a_time_;
  int socket_ = -1;
  std::atomic<pid_t> child_{-1};
  std::atomic<bool> aborted_{false};
};

// Whether the extraction process applies JailLimits::memory_bytes: not in AddressSanitizer
// builds, which reserve terabytes of address space up front.
bool memory_limit_applies();

// The child's side: serves requests on `socket_fd` until it is closed. Returns the exit code.
int run_extract_worker(int socket_fd, std::uint64_t memory_bytes);

}  // namespace contribd
