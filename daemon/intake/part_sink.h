// Where the extraction of a spooled message writes its decoded files: named temporary files
// in the spool folder, beside files_dir, until the file store renames them into place. What
// is still there when the sink goes (a duplicate's files, an attempt that failed) is removed.
#pragma once

#include <filesystem>
#include <vector>

#include "parsers/mime_file_sink.h"

namespace contribd {

class PartSink : public mime::FileSink {
 public:
  explicit PartSink(std::filesystem::path folder) : folder_(std::move(folder)) {}
  ~PartSink() override;
  PartSink(const PartSink&) = delete;
  PartSink& operator=(const PartSink&) = delete;

  // Throws std::system_error naming the folder (missing, full, not writable). The descriptor
  // of the file created before is closed here: the extraction writes one file at a time, and
  // a message with a thousand parts must not hold a thousand descriptors.
  Target create() override;
  void discard(const Target& target) override;

  const std::filesystem::path& folder() const { return folder_; }
  // A part file written by someone else (the extraction process) in this folder: removed
  // with the sink unless the file store took it.
  void adopt(std::string name);
  // Forgets every file without removing it (the extraction process hands them over).
  void release();

  // Part files left by a process that crashed while extracting.
  static void remove_stale(const std::filesystem::path& folder);

 private:
  std::filesystem::path folder_;
  std::vector<Target> created_;
};

}  // namespace contribd
