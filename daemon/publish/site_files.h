// The files of the published folder, written so that a reader (the web server, someone's
// download) never sees half of one: a page is written under a temporary name in its own
// folder, synced and renamed over the old one; a stored file appears at once, as a hard link,
// or renamed into place as a whole copy. Unchanged pages are not written again and files
// already present are not linked again, so publishing after every batch costs little.
// Everything is readable by everyone (pages 0644, folders 0755): it is published. Failures
// throw std::system_error naming the path and the step.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

namespace contribd::publish {

// Creates `folder` and any missing parent, mode 0755.
void make_folders(const std::filesystem::path& folder);

// Writes `content` to `target` unless `target` holds exactly these bytes already. Returns
// whether it wrote.
bool write_if_changed(const std::filesystem::path& target, std::string_view content);

enum class Placed { present, linked, copied };

// Makes the stored file `source` (of `size` bytes) available at `target`, whose folder exists:
// nothing when a file of that size is there; otherwise a hard link, or a copy when the two are
// on different file systems or the file system refuses the link. A hard link shares the stored
// file, so the stored file becomes readable by everyone too (its folder in the register stays
// closed); a copy is made readable by everyone.
Placed place_file(const std::filesystem::path& source, const std::filesystem::path& target,
                  std::uint64_t size);

// Removes temporary files that an interrupted publication left in `folder` (not below it).
void remove_stale_temporaries(const std::filesystem::path& folder);

// An exclusive lock on the published folder for as long as it lives, so that the daemon and
// `contribd publish` from another shell take turns rather than race. Creates the folder (and
// its lock file, ".contribd-publish.lock") when missing; waits for the other holder.
class PublishLock {
 public:
  explicit PublishLock(const std::filesystem::path& folder);
  PublishLock(const PublishLock&) = delete;
  PublishLock& operator=(const PublishLock&) = delete;
  ~PublishLock();

 private:
  int fd_ = -1;
};

}  // namespace contribd::publish
