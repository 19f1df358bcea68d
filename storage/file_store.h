// The file store: the files of each contribution under
// files_dir/<meeting>/<document number>/<safe name>, each written atomically so that a crash
// leaves either no file or the whole file, never a partial one under the final name.
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include "storage/records.h"

namespace contribd::storage {

class FileStore {
 public:
  explicit FileStore(std::filesystem::path files_dir);  // made absolute; need not exist yet

  // Writes every file (temporary file in the same folder, fsync, rename, fsync the folder;
  // a spooled file is synced and renamed into place instead)
  // and returns them in the same order with their absolute paths. The meeting id, document
  // number and file names all pass through safe_filename.h, so the path can never leave
  // files_dir whatever they hold; names are made unique within the contribution
  // ("a.pdf", "a (2).pdf"). A file of the same name already in the folder is replaced: only
  // an attempt that never committed can have left it there. Throws StorageError naming the
  // path and the system's reason; files written before the failure stay.
  // `revision` > 0: the files of that revision, under <document number>/rev<n>/ (step 9).
  std::vector<StoredFile> store(std::string_view meeting_id, const DocumentNumber& document_number,
                                const std::vector<NewFile>& files, int revision = 0);

  // For a batch of contributions committed to the register together: as store(), but the
  // files wait under temporary names (or in their spool files) without any sync, until
  // sync_deferred() makes them all durable with one file-system sync, renames them into place
  // and syncs again; call it before committing the register. drop_deferred() removes what
  // waits (the batch was rolled back; spool files are left to their owner). Errors as store().
  std::vector<StoredFile> store_deferred(std::string_view meeting_id,
                                         const DocumentNumber& document_number,
                                         const std::vector<NewFile>& files, int revision = 0);
  void sync_deferred();
  void drop_deferred() noexcept;

  const std::filesystem::path& files_dir() const { return files_dir_; }

 private:
  struct Deferred {
    std::string temporary;
    std::filesystem::path target;
    bool owned;  // a temporary file of ours, not a spool file
  };

  std::vector<StoredFile> store_files(std::string_view meeting_id,
                                      const DocumentNumber& document_number,
                                      const std::vector<NewFile>& files, int revision,
                                      bool deferred);

  std::filesystem::path files_dir_;
  std::vector<Deferred> deferred_;
};

}  // namespace contribd::storage
