// Publication (SPEC step 11): the document list of every configured meeting, rewritten from the
// register under [publish] dir. The layout:
//   index.html                        every meeting with its counts
//   <meeting>/index.html              one row per contribution (meeting_page.h)
//   <meeting>/documents.csv           documents_csv.h
//   <meeting>/documents.json          documents_json.h
//   <meeting>/timeline.svg            timeline_svg.h
//   <meeting>/files/<DOC>/<name>      the stored files, and .../<DOC>/rev<n>/<name>
// Files come first, then the lists, then the pages, so that no page links what is not there
// yet; every write is atomic for readers (site_files.h). Nothing is ever removed: the register
// keeps every contribution, withdrawn ones included. Contributions of meetings that are no
// longer configured are not published.
#pragma once

#include <string>
#include <vector>

#include "daemon/config.h"
#include "storage/register.h"

namespace contribd::publish {

struct PublishReport {
  int meetings = 0;
  int contributions = 0;
  int pages_written = 0;  // pages and lists whose content changed
  int files_placed = 0;   // stored files newly linked or copied
  int files_copied = 0;   // of which copies (another file system)
  // Stored files that could not be published (gone from the file store, unreadable): one line
  // each, naming the path and the reason. The rest is published all the same.
  std::vector<std::string> file_problems;
};

// Requires config.publish.dir (throws std::invalid_argument when it is empty). Reads the
// register; throws StorageError or std::system_error (naming the path) when reading or writing
// fails, leaving what was written before in place: a later call completes it.
PublishReport publish_site(const Config& config, storage::Register& register_);

}  // namespace contribd::publish
