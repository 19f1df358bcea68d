// Message bodies on their way from the IMAP server to the extractor, outside the daemon's
// memory: one unnamed file per batch, the bodies back to back, so that a crash leaves nothing
// behind and a batch costs one file, not one per message. A batch of up to
// kSpoolInMemoryBytes is a memory file (memfd_create): in the store's folder, the file-system
// sync that makes each batch's files durable would write it to disk as well, though it is
// thrown away moments later (measured on the backlog benchmark: 316 MB written instead of
// 165 MB). A larger one, or where memory files are not allowed, is an unnamed file in the
// folder (O_TMPFILE, or created and unlinked at once).
//
// Errors: creating or writing throws std::system_error naming the folder and the reason
// (disk full, permissions). Move-only; the descriptor is closed with the object.
#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <string_view>

namespace contribd::storage {

// Where one body lies in its spool file.
struct SpoolRange {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
};

class SpoolFile {
 public:
  static constexpr std::uint64_t kSpoolInMemoryBytes = 32ull << 20;
  static constexpr std::uint64_t kSizeUnknown = std::numeric_limits<std::uint64_t>::max();

  // An empty file for about `expected_bytes`: in memory up to kSpoolInMemoryBytes, else in
  // `folder`. `folder` must exist and be writable either way: the decoded files of the messages
  // are written there (folder()).
  static SpoolFile create(const std::filesystem::path& folder,
                          std::uint64_t expected_bytes = kSizeUnknown);
  SpoolFile() = default;  // no file: holds nothing until a created one is moved in

  SpoolFile(SpoolFile&& other) noexcept;
  SpoolFile& operator=(SpoolFile&& other) noexcept;
  SpoolFile(const SpoolFile&) = delete;
  SpoolFile& operator=(const SpoolFile&) = delete;
  ~SpoolFile();

  void append(std::string_view bytes);

  int fd() const { return fd_; }  // for reading back (pread, or a dup() handed to GMime)
  std::uint64_t size() const { return size_; }
  const std::filesystem::path& folder() const { return folder_; }
  bool in_memory() const { return in_memory_; }

 private:
  SpoolFile(int fd, std::filesystem::path folder, bool in_memory)
      : fd_(fd), folder_(std::move(folder)), in_memory_(in_memory) {}

  int fd_ = -1;
  std::filesystem::path folder_;
  std::uint64_t size_ = 0;
  bool in_memory_ = false;
};

}  // namespace contribd::storage
