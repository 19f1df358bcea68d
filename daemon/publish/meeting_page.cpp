#include "daemon/publish/meeting_page.h"

#include <fmt/format.h>

#include "daemon/policy/deadline.h"
#include "daemon/publish/meeting_counts.h"
#include "daemon/publish/page_templates.h"
#include "daemon/publish/page_time.h"
#include "daemon/publish/published_paths.h"
#include "daemon/publish/web_text.h"
#include "storage/utc_text.h"

namespace contribd::publish {
namespace {

using kainjow::mustache::data;

data file_links(const storage::DocumentNumber& document_number,
                const std::vector<storage::StoredFile>& files, int revision) {
  data links{data::type::list};
  for (const auto& file : files) {
    data link;
    link.set("href", link_to(published_file_path(document_number, file, revision)));
    link.set("name", text_for_page(published_name(file)));
    link.set("size", size_for_people(file.size));
    links.push_back(link);
  }
  return links;
}

void set_status(data& values, bool late) {
  values.set("status", late ? "late" : "on_time");
  values.set("status_class", late ? "late" : "on-time");
  values.set("status_text", late ? "late" : "on time");
}

data revision_values(const storage::Contribution& contribution, const storage::Revision& revision) {
  data values;
  values.set("revision", std::to_string(revision.number));
  values.set("received_iso", storage::format_utc(revision.received_at));
  values.set("received_utc", minutes_utc(revision.received_at));
  set_status(values, revision.late);
  values.set("files", file_links(contribution.document_number, revision.files, revision.number));
  return values;
}

data row_values(const storage::Contribution& contribution) {
  data row;
  row.set("number", text_for_page(contribution.document_number.text()));
  row.set("anchor", link_to(contribution.document_number.text()));
  row.set("title", text_for_page(shown_title(contribution)));
  const std::string source = text_for_page(contribution.document.source.value_or(""));
  row.set("has_source", !source.empty());
  row.set("source", source);
  row.set("received_iso", storage::format_utc(contribution.received_at));
  row.set("received_utc", minutes_utc(contribution.received_at));
  set_status(row, contribution.late);
  row.set("withdrawn", contribution.withdrawn.has_value());
  if (contribution.withdrawn) {
    row.set("withdrawn_iso", storage::format_utc(contribution.withdrawn->at));
    row.set("withdrawn_date", date_utc(contribution.withdrawn->at));
  }
  row.set("files", file_links(contribution.document_number, contribution.files, 0));
  data revisions{data::type::list};
  for (const auto& revision : contribution.revisions) {
    revisions.push_back(revision_values(contribution, revision));
  }
  row.set("has_revisions", !contribution.revisions.empty());
  row.set("revisions", revisions);
  return row;
}

// The deadline in the meeting's own zone, when it has one: "2020-07-22 23:59:59 CEST".
std::string local_deadline(const Meeting& meeting) {
  if (meeting.timezone.empty()) return "";
  try {
    return policy::format_in_zone(meeting.deadline, meeting.timezone);
  } catch (const std::exception&) {
    return "";  // the configuration was checked at start; the UTC time is enough
  }
}

}  // namespace

std::string shown_title(const storage::Contribution& contribution) {
  const auto& title = contribution.document.title;
  return title && !title->empty() ? *title : contribution.subject;
}

std::string size_for_people(std::uint64_t bytes) {
  if (bytes < 1000) return fmt::format("{} bytes", bytes);
  if (bytes < 1000 * 1000) return fmt::format("{} kB", (bytes + 500) / 1000);
  return fmt::format("{:.1f} MB", static_cast<double>(bytes) / 1e6);
}

std::string meeting_page_html(const Meeting& meeting,
                              const std::vector<storage::Contribution>& contributions) {
  data page;
  page.set("meeting_id", text_for_page(meeting.id));
  page.set("meeting_title", text_for_page(meeting.title.empty() ? meeting.id : meeting.title));
  page.set("deadline_iso", storage::format_utc(meeting.deadline));
  page.set("deadline_utc", policy::format_utc_for_people(meeting.deadline));
  const std::string local = local_deadline(meeting);
  page.set("has_deadline_local", !local.empty());
  page.set("deadline_local", local);
  const MeetingCounts counts = count_contributions(contributions);
  page.set("count_total", std::to_string(counts.total));
  page.set("count_on_time", std::to_string(counts.on_time));
  page.set("count_late", std::to_string(counts.late));
  page.set("count_withdrawn", std::to_string(counts.withdrawn));
  data rows{data::type::list};
  for (const auto& contribution : contributions) rows.push_back(row_values(contribution));
  page.set("has_rows", !contributions.empty());
  page.set("rows", rows);
  return render_page("meeting", std::move(page));
}

}  // namespace contribd::publish
