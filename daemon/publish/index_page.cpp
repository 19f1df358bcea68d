#include "daemon/publish/index_page.h"

#include "daemon/policy/deadline.h"
#include "daemon/publish/page_templates.h"
#include "daemon/publish/published_paths.h"
#include "daemon/publish/web_text.h"
#include "storage/utc_text.h"

namespace contribd::publish {

std::string index_page_html(const std::vector<MeetingSummary>& meetings) {
  using kainjow::mustache::data;
  data rows{data::type::list};
  for (const auto& [meeting, counts] : meetings) {
    data row;
    row.set("id", text_for_page(meeting.id));
    row.set("href", link_to(meeting_folder(meeting.id)) + "/index.html");
    row.set("title", text_for_page(meeting.title.empty() ? meeting.id : meeting.title));
    row.set("deadline_iso", storage::format_utc(meeting.deadline));
    row.set("deadline_utc", policy::format_utc_for_people(meeting.deadline));
    row.set("total", std::to_string(counts.total));
    row.set("on_time", std::to_string(counts.on_time));
    row.set("late", std::to_string(counts.late));
    row.set("withdrawn", std::to_string(counts.withdrawn));
    rows.push_back(row);
  }
  data page;
  page.set("meetings", rows);
  return render_page("index", std::move(page));
}

}  // namespace contribd::publish
