#include "daemon/publish/site_files.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "storage/file_descriptor.h"

namespace contribd::publish {
namespace {

namespace fs = std::filesystem;
using storage::FileDescriptor;
using storage::write_all;

// Temporary names start with a dot: published names (safe_filename.h) never do.
constexpr std::string_view kTemporaryPrefix = ".contribd-publishing-";
constexpr mode_t kPublicFile = 0644;
constexpr mode_t kPublicFolder = 0755;

[[noreturn]] void fail(const fs::path& path, const std::string& step, int error_number) {
  throw std::system_error(error_number, std::generic_category(), path.string() + ": " + step);
}

// Reads the whole file into `out`; false when it cannot be read (missing, a folder, ...).
bool read_whole(const fs::path& path, std::string& out) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return false;
  struct stat status {};
  if (::fstat(fd.get(), &status) != 0 || !S_ISREG(status.st_mode)) return false;
  out.resize(static_cast<std::size_t>(status.st_size));
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t got = ::read(fd.get(), out.data() + done, out.size() - done);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    done += static_cast<std::size_t>(got);
  }
  char extra = 0;
  return ::read(fd.get(), &extra, 1) == 0;  // it did not grow meanwhile
}

void sync_folder(const fs::path& folder) {
  FileDescriptor fd(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) fail(folder, "open folder to sync", errno);
  if (::fsync(fd.get()) != 0) fail(folder, "sync folder", errno);
}

// A new, empty temporary file beside `target`, readable by everyone.
std::pair<FileDescriptor, std::string> temporary_beside(const fs::path& target) {
  std::string name = (target.parent_path() / kTemporaryPrefix).string() + "XXXXXX";
  FileDescriptor fd(::mkostemp(name.data(), O_CLOEXEC));
  if (fd.get() < 0) fail(target, "create a temporary file beside it", errno);
  if (::fchmod(fd.get(), kPublicFile) != 0) {
    const int error = errno;
    ::unlink(name.c_str());
    fail(name, "chmod", error);
  }
  return {std::move(fd), std::move(name)};
}

// Syncs and closes the temporary file, then renames it over `target`; on failure it goes.
void finish_temporary(FileDescriptor& fd, const std::string& temporary, const fs::path& target) {
  int error = 0;
  std::string step;
  if (::fsync(fd.get()) != 0) {
    error = errno;
    step = "sync";
  } else if (::close(fd.release()) != 0) {
    error = errno;
    step = "close";
  } else if (::rename(temporary.c_str(), target.c_str()) != 0) {
    error = errno;
    step = "rename " + temporary + " to it";
  }
  if (error != 0) {
    ::unlink(temporary.c_str());
    fail(step.starts_with("rename") ? target : fs::path(temporary), step, error);
  }
}

void copy_bytes(int from, int to, const fs::path& source, const std::string& temporary) {
  std::vector<char> buffer(1 << 20);
  for (;;) {
    const ssize_t got = ::read(from, buffer.data(), buffer.size());
    if (got < 0) {
      if (errno == EINTR) continue;
      fail(source, "read", errno);
    }
    if (got == 0) return;
    if (const int error =
            write_all(to, std::string_view(buffer.data(), static_cast<std::size_t>(got)))) {
      fail(temporary, "write", error);
    }
  }
}

Placed copy_into_place(const fs::path& source, const fs::path& target) {
  FileDescriptor from(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
  if (from.get() < 0) fail(source, "open", errno);
  auto [to, temporary] = temporary_beside(target);
  try {
    copy_bytes(from.get(), to.get(), source, temporary);
  } catch (...) {
    ::unlink(temporary.c_str());
    throw;
  }
  finish_temporary(to, temporary, target);
  return Placed::copied;
}

// A file system that cannot link these two files, as opposed to an error worth reporting.
bool link_refused(int error) {
  return error == EXDEV || error == EPERM || error == EMLINK || error == EOPNOTSUPP ||
         error == ENOSYS;
}

}  // namespace

void make_folders(const fs::path& folder) {
  std::vector<fs::path> missing;
  std::error_code ignored;
  for (fs::path at = folder; !at.empty() && !fs::exists(at, ignored); at = at.parent_path()) {
    missing.push_back(at);
    if (at == at.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), kPublicFolder) != 0 && errno != EEXIST) fail(*it, "mkdir", errno);
    // mkdir applies the umask (the service's is 0077); published folders are for everyone.
    if (::chmod(it->c_str(), kPublicFolder) != 0) fail(*it, "chmod", errno);
  }
}

bool write_if_changed(const fs::path& target, std::string_view content) {
  std::string current;
  if (read_whole(target, current) && current == content) return false;
  auto [fd, temporary] = temporary_beside(target);
  try {
    if (const int error = write_all(fd.get(), content)) fail(temporary, "write", error);
  } catch (...) {
    ::unlink(temporary.c_str());
    throw;
  }
  finish_temporary(fd, temporary, target);
  sync_folder(target.parent_path());
  return true;
}

Placed place_file(const fs::path& source, const fs::path& target, std::uint64_t size) {
  struct stat present {};
  const bool exists = ::lstat(target.c_str(), &present) == 0;
  if (exists && S_ISREG(present.st_mode) && static_cast<std::uint64_t>(present.st_size) == size) {
    return Placed::present;
  }
  // Linked under a temporary name first, so that a stale file of another size is replaced in
  // one rename, and made readable before it is visible.
  std::string temporary = (target.parent_path() / kTemporaryPrefix).string() + "link-";
  temporary += target.filename().string().substr(0, 32);
  ::unlink(temporary.c_str());
  if (::link(source.c_str(), temporary.c_str()) != 0) {
    const int error = errno;
    if (link_refused(error)) return copy_into_place(source, target);
    fail(target, "link " + source.string() + " as", error);
  }
  // The link shares the stored file: whoever can fetch the published name can read it, while
  // the register's own folder stays closed.
  struct stat stored {};
  int error = 0;
  std::string step;
  if (::stat(temporary.c_str(), &stored) != 0) {
    error = errno;
    step = "stat";
  } else if ((stored.st_mode & 0444) != 0444 &&
             ::chmod(temporary.c_str(), (stored.st_mode & 07777) | 0444) != 0) {
    error = errno;
    step = "make readable";
  } else if (::rename(temporary.c_str(), target.c_str()) != 0) {
    error = errno;
    step = "rename " + temporary + " to it";
  }
  if (error != 0) {
    ::unlink(temporary.c_str());
    fail(target, step, error);
  }
  ::unlink(temporary.c_str());  // still there only if the target was this very file already
  return Placed::linked;
}

void remove_stale_temporaries(const fs::path& folder) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(folder, error)) {
    if (entry.path().filename().string().starts_with(kTemporaryPrefix)) {
      fs::remove(entry.path(), error);
    }
  }
}

PublishLock::PublishLock(const fs::path& folder) {
  make_folders(folder);
  const fs::path lock_file = folder / ".contribd-publish.lock";
  fd_ = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, kPublicFile);
  if (fd_ < 0) fail(lock_file, "open", errno);
  while (::flock(fd_, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    const int error = errno;
    ::close(fd_);
    fail(lock_file, "lock", error);
  }
}

PublishLock::~PublishLock() {
  ::close(fd_);  // releases the lock
}

}  // namespace contribd::publish
