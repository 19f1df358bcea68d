#include "daemon/publish/publish_site.h"

#include <stdexcept>
#include <system_error>

#include "daemon/publish/documents_csv.h"
#include "daemon/publish/documents_json.h"
#include "daemon/publish/index_page.h"
#include "daemon/publish/meeting_page.h"
#include "daemon/publish/published_paths.h"
#include "daemon/publish/site_files.h"
#include "daemon/publish/timeline_svg.h"

namespace contribd::publish {
namespace {

namespace fs = std::filesystem;

void place_files(const fs::path& meeting_dir, const storage::DocumentNumber& document_number,
                 const std::vector<storage::StoredFile>& files, int revision,
                 PublishReport& report) {
  for (const auto& file : files) {
    const fs::path target = meeting_dir / published_file_path(document_number, file, revision);
    make_folders(target.parent_path());
    try {
      const Placed placed = place_file(file.path, target, file.size);
      if (placed != Placed::present) ++report.files_placed;
      if (placed == Placed::copied) ++report.files_copied;
    } catch (const std::system_error& error) {
      // One lost file must not keep every later change off the list.
      report.file_problems.push_back(error.what());
    }
  }
}

void write_page(const fs::path& target, const std::string& content, PublishReport& report) {
  if (write_if_changed(target, content)) ++report.pages_written;
}

}  // namespace

PublishReport publish_site(const Config& config, storage::Register& register_) {
  if (config.publish.dir.empty()) {
    throw std::invalid_argument("[publish] dir is not set: there is nowhere to publish");
  }
  const fs::path& root = config.publish.dir;
  const PublishLock lock(root);
  remove_stale_temporaries(root);

  PublishReport report;
  std::vector<MeetingSummary> summaries;
  for (const Meeting& meeting : config.meetings) {
    const std::vector<storage::Contribution> contributions = register_.list(meeting.id);
    const fs::path meeting_dir = root / meeting_folder(meeting.id);
    make_folders(meeting_dir);
    remove_stale_temporaries(meeting_dir);
    for (const auto& contribution : contributions) {
      place_files(meeting_dir, contribution.document_number, contribution.files, 0, report);
      for (const auto& revision : contribution.revisions) {
        place_files(meeting_dir, contribution.document_number, revision.files, revision.number,
                    report);
      }
    }
    write_page(meeting_dir / "documents.json", documents_json(contributions), report);
    write_page(meeting_dir / "documents.csv", documents_csv(contributions), report);
    write_page(meeting_dir / "timeline.svg", timeline_svg(meeting, contributions), report);
    write_page(meeting_dir / "index.html", meeting_page_html(meeting, contributions), report);
    summaries.push_back({meeting, count_contributions(contributions)});
    ++report.meetings;
    report.contributions += static_cast<int>(contributions.size());
  }
  write_page(root / "index.html", index_page_html(summaries), report);
  return report;
}

}  // namespace contribd::publish
