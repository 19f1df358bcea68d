#include "storage/file_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <string>
#include <utility>

#include "parsers/ascii_text.h"
#include "storage/file_descriptor.h"
#include "storage/safe_filename.h"

namespace contribd::storage {
namespace {

namespace fs = std::filesystem;

// Temporary files start with a dot, which safe names never do, so they cannot clash.
constexpr std::string_view temporary_prefix = ".contribd-tmp-";
constexpr mode_t stored_file_mode = 0640;

StorageError system_error(const fs::path& path, std::string_view what, int error_number) {
  return StorageError(fmt::format("{}: {}: {}", path.string(), what, std::strerror(error_number)));
}

void fsync_folder(const fs::path& folder) {
  FileDescriptor fd(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) throw system_error(folder, "open folder to sync", errno);
  if (::fsync(fd.get()) != 0) throw system_error(folder, "sync folder", errno);
}

// Writes data into a fresh temporary file in `folder` and returns its path; synced when
// `sync`. On failure the temporary file is removed.
std::string write_temporary(const fs::path& folder, std::string_view data, bool sync) {
  std::string temporary = (folder / temporary_prefix).string() + "XXXXXX";
  FileDescriptor fd(::mkostemp(temporary.data(), O_CLOEXEC));
  if (fd.get() < 0) throw system_error(temporary, "create temporary file", errno);
  try {
    if (::fchmod(fd.get(), stored_file_mode) != 0) throw system_error(temporary, "chmod", errno);
    if (const int error = write_all(fd.get(), data)) throw system_error(temporary, "write", error);
    if (sync && ::fsync(fd.get()) != 0) throw system_error(temporary, "sync", errno);
    if (::close(fd.release()) != 0) throw system_error(temporary, "close", errno);
  } catch (...) {
    ::unlink(temporary.c_str());
    throw;
  }
  return temporary;
}

void rename_into_place(const std::string& temporary, const fs::path& target) {
  if (::rename(temporary.c_str(), target.c_str()) != 0) {
    throw system_error(target, "rename " + temporary + " to", errno);
  }
}

// Writes data into a fresh temporary file beside `target`, syncs it and renames it over
// `target`. On failure the temporary file is removed and nothing appears under `target`.
void write_atomically(const fs::path& target, std::string_view data) {
  const std::string temporary = write_temporary(target.parent_path(), data, true);
  try {
    rename_into_place(temporary, target);
  } catch (...) {
    ::unlink(temporary.c_str());
    throw;
  }
}

// Gives a file written elsewhere (a decoded part in the spool folder) the stored mode and,
// when `sync`, syncs it. Returns its size.
std::uint64_t prepare_spooled(const fs::path& spooled, bool sync) {
  FileDescriptor fd(::open(spooled.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw system_error(spooled, "open", errno);
  struct stat status {};
  if (::fstat(fd.get(), &status) != 0) throw system_error(spooled, "stat", errno);
  if (::fchmod(fd.get(), stored_file_mode) != 0) throw system_error(spooled, "chmod", errno);
  if (sync && ::fsync(fd.get()) != 0) throw system_error(spooled, "sync", errno);
  return static_cast<std::uint64_t>(status.st_size);
}

// One sync of the whole file system holding `folder`: in a batch, far cheaper than one fsync
// per file and folder, each of which waits for its own journal commit.
void sync_file_system(const fs::path& folder) {
  FileDescriptor fd(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) throw system_error(folder, "open folder to sync", errno);
  if (::syncfs(fd.get()) != 0) throw system_error(folder, "sync file system", errno);
}

// Temporary files left by a crash in the middle of write_atomically().
void remove_stale_temporaries(const fs::path& folder) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(folder, error)) {
    if (entry.path().filename().string().starts_with(temporary_prefix)) {
      fs::remove(entry.path(), error);
    }
  }
}

// True when the folder was made now (so nothing stale can be in it).
bool create_folder(const fs::path& folder) {
  std::error_code error;
  const bool created = fs::create_directories(folder, error);
  if (error)
    throw StorageError(fmt::format("{}: create folder: {}", folder.string(), error.message()));
  return created;
}

// Unique ignoring ASCII case, so that the folder can be copied to a case-insensitive disk.
std::string unique_name(std::string_view wanted, std::set<std::string>& taken) {
  std::string name = safe_filename(wanted);
  const std::string base = name;
  for (int n = 2; taken.contains(ascii::lower(name)); ++n) name = numbered_variant(base, n);
  taken.insert(ascii::lower(name));
  return name;
}

bool is_inside(const fs::path& path, const fs::path& folder) {
  const auto relative = path.lexically_relative(folder);
  return !relative.empty() && *relative.begin() != "..";
}

fs::path normalized_absolute(fs::path path) {
  path = fs::absolute(path).lexically_normal();
  if (!path.has_filename() && path.has_parent_path() && path != path.root_path()) {
    path = path.parent_path();  // "/srv/files/" -> "/srv/files"
  }
  return path;
}

}  // namespace

FileStore::FileStore(std::filesystem::path files_dir)
    : files_dir_(normalized_absolute(std::move(files_dir))) {}

std::vector<StoredFile> FileStore::store(std::string_view meeting_id,
                                         const DocumentNumber& document_number,
                                         const std::vector<NewFile>& files, int revision) {
  return store_files(meeting_id, document_number, files, revision, false);
}

std::vector<StoredFile> FileStore::store_deferred(std::string_view meeting_id,
                                                  const DocumentNumber& document_number,
                                                  const std::vector<NewFile>& files, int revision) {
  return store_files(meeting_id, document_number, files, revision, true);
}

std::vector<StoredFile> FileStore::store_files(std::string_view meeting_id,
                                               const DocumentNumber& document_number,
                                               const std::vector<NewFile>& files, int revision,
                                               bool deferred) {
  const fs::path meeting_folder = files_dir_ / safe_path_component(meeting_id);
  const fs::path document_folder = meeting_folder / safe_path_component(document_number.text());
  const fs::path folder =
      revision > 0 ? document_folder / fmt::format("rev{}", revision) : document_folder;
  if (!is_inside(folder, files_dir_)) {
    throw StorageError(
        fmt::format("{}: refusing a folder outside {}", folder.string(), files_dir_.string()));
  }
  if (!create_folder(folder)) remove_stale_temporaries(folder);

  std::set<std::string> taken;
  std::vector<StoredFile> stored;
  for (const auto& file : files) {
    const fs::path target = folder / unique_name(file.filename, taken);
    std::uint64_t size = file.data.size();
    if (file.spooled_path.empty() && deferred) {
      deferred_.push_back({write_temporary(folder, file.data, false), target, true});
    } else if (file.spooled_path.empty()) {
      write_atomically(target, file.data);
    } else {
      size = prepare_spooled(file.spooled_path, !deferred);
      if (deferred) {
        deferred_.push_back({file.spooled_path, target, false});
      } else {
        rename_into_place(file.spooled_path, target);
      }
    }
    stored.push_back(
        StoredFile{file.filename, file.content_type, size, file.sha256_hex, target.string()});
  }
  if (deferred) return stored;
  // The renames, and the folders created for them, are durable only once their folders are.
  fsync_folder(folder);
  if (folder != document_folder) fsync_folder(document_folder);
  fsync_folder(meeting_folder);
  fsync_folder(files_dir_);
  return stored;
}

void FileStore::sync_deferred() {
  if (deferred_.empty()) return;
  // Every byte first, so that no name ever points at a partly written file; then the names.
  sync_file_system(files_dir_);
  for (const Deferred& file : deferred_) rename_into_place(file.temporary, file.target);
  deferred_.clear();
  sync_file_system(files_dir_);
}

void FileStore::drop_deferred() noexcept {
  for (const Deferred& file : deferred_) {
    if (file.owned) ::unlink(file.temporary.c_str());
  }
  deferred_.clear();
}

}  // namespace contribd::storage
