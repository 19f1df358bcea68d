// Message bodies on their way from the IMAP server to the extractor, kept on disk instead of
// in memory: one unnamed temporary file per batch (O_TMPFILE, or created and unlinked at
// once), the bodies back to back, so that a crash leaves nothing behind and a batch costs one
// file, not one per message.
//
// Errors: creating or writing throws std::system_error naming the folder and the reason
// (disk full, permissions). Move-only; the descriptor is closed with the object.
#pragma once

#include <cstdint>
#include <filesystem>
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
  // An empty file in `folder`, which must exist and be writable.
  static SpoolFile create(const std::filesystem::path& folder);
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

 private:
  SpoolFile(int fd, std::filesystem::path folder) : fd_(fd), folder_(std::move(folder)) {}

  int fd_ = -1;
  std::filesystem::path folder_;
  std::uint64_t size_ = 0;
};

}  // namespace contribd::storage
