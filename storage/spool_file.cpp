#include "storage/spool_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>

namespace contribd::storage {
namespace {

std::system_error spool_error(const std::filesystem::path& folder, const char* what) {
  return std::system_error(errno, std::generic_category(),
                           "spool folder " + folder.string() + ": " + what);
}

// O_TMPFILE where the file system has it; otherwise a named file unlinked at once.
int unnamed_file(const std::filesystem::path& folder) {
  int fd = ::open(folder.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)) return fd;
  std::string name = (folder / ".contribd-spool-XXXXXX").string();
  fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd >= 0) ::unlink(name.c_str());
  return fd;
}

}  // namespace

SpoolFile SpoolFile::create(const std::filesystem::path& folder, std::uint64_t expected_bytes) {
  if (expected_bytes <= kSpoolInMemoryBytes) {
    if (::access(folder.c_str(), W_OK) != 0) throw spool_error(folder, "write into the folder");
    // Refused by a seccomp filter or an old kernel: the folder then, as for a large batch.
    const int fd = ::memfd_create("contribd-spool", MFD_CLOEXEC);
    if (fd >= 0) return SpoolFile(fd, folder, true);
  }
  const int fd = unnamed_file(folder);
  if (fd < 0) throw spool_error(folder, "create a spool file");
  return SpoolFile(fd, folder, false);
}

SpoolFile::SpoolFile(SpoolFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      folder_(std::move(other.folder_)),
      size_(std::exchange(other.size_, 0)),
      in_memory_(std::exchange(other.in_memory_, false)) {}

SpoolFile& SpoolFile::operator=(SpoolFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    folder_ = std::move(other.folder_);
    size_ = std::exchange(other.size_, 0);
    in_memory_ = std::exchange(other.in_memory_, false);
  }
  return *this;
}

SpoolFile::~SpoolFile() {
  if (fd_ >= 0) ::close(fd_);
}

void SpoolFile::append(std::string_view bytes) {
  size_ += bytes.size();
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd_, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      throw spool_error(folder_, "write");
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
}

}  // namespace contribd::storage
