// A message body on its way from the IMAP server to the extractor, kept on disk instead of in
// memory: an unnamed temporary file (O_TMPFILE, or created and unlinked at once), so that a
// crash leaves nothing behind. Appending also computes the SHA-256 of the bytes, which the
// register keeps for every examined message.
//
// Errors: creating or writing throws std::system_error naming the folder and the reason
// (disk full, permissions). Move-only; the descriptor is closed with the object.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "parsers/sha256_stream.h"

namespace contribd::net {

class SpoolFile {
 public:
  // An empty file in `folder`, which must exist and be writable.
  static SpoolFile create(const std::filesystem::path& folder);

  SpoolFile(SpoolFile&& other) noexcept;
  SpoolFile& operator=(SpoolFile&& other) noexcept;
  SpoolFile(const SpoolFile&) = delete;
  SpoolFile& operator=(const SpoolFile&) = delete;
  ~SpoolFile();

  void append(std::string_view bytes);
  // The SHA-256 of everything appended; call once, after the last append().
  std::string finish_sha256_hex() { return sha256_.finish_hex(); }

  int fd() const { return fd_; }  // for reading back (pread, or a dup() handed to GMime)
  std::uint64_t size() const { return size_; }
  const std::filesystem::path& folder() const { return folder_; }

 private:
  SpoolFile(int fd, std::filesystem::path folder) : fd_(fd), folder_(std::move(folder)) {}

  int fd_ = -1;
  std::filesystem::path folder_;
  std::uint64_t size_ = 0;
  mime::Sha256Stream sha256_;
};

}  // namespace contribd::net
