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

  // Throws std::system_error naming the folder (missing, full, not writable).
  Target create() override;
  void discard(const Target& target) override;

  // Part files left by a process that crashed while extracting.
  static void remove_stale(const std::filesystem::path& folder);

 private:
  std::filesystem::path folder_;
  std::vector<Target> created_;
};

}  // namespace contribd
