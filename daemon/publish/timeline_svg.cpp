#include "daemon/publish/timeline_svg.h"

#include <date/date.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "daemon/policy/deadline.h"
#include "daemon/publish/meeting_counts.h"
#include "daemon/publish/page_templates.h"
#include "daemon/publish/page_time.h"
#include "daemon/publish/web_text.h"
#include "storage/utc_text.h"

namespace contribd::publish {
namespace {

using kainjow::mustache::data;
using std::chrono::hours;
using std::chrono::seconds;

// The drawing, in SVG user units; the page scales it to the screen.
constexpr double kWidth = 720;
constexpr double kHeight = 360;
constexpr double kLeft = 56;
constexpr double kRight = kWidth - 16;
constexpr double kTop = 56;
constexpr double kBottom = kHeight - 48;
constexpr int kMaxTicks = 7;

std::string number(double value) {
  return fmt::format("{:.1f}", value);
}

// The span of the time axis: every receipt and the deadline, with a little room either side.
struct TimeAxis {
  UtcTime from;
  UtcTime to;

  double x(UtcTime t) const {
    const double fraction = static_cast<double>((t - from).count()) / (to - from).count();
    return kLeft + fraction * (kRight - kLeft);
  }
};

TimeAxis time_axis(const Meeting& meeting,
                   const std::vector<const storage::Contribution*>& sorted) {
  UtcTime from = meeting.deadline - hours(24 * 7);
  UtcTime to = meeting.deadline + hours(24);
  if (!sorted.empty()) {
    from = std::min(sorted.front()->received_at, meeting.deadline);
    to = std::max(sorted.back()->received_at, meeting.deadline);
  }
  const seconds minimum = hours(2);
  if (to - from < minimum) {
    const seconds grow = (minimum - (to - from)) / 2;
    from -= grow;
    to += grow;
  }
  const seconds margin = std::max<seconds>((to - from) / 25, seconds(300));
  return {from - margin, to + margin};
}

// 0 .. a round number at or above `total`, in at most five steps of 1, 2 or 5 times a power of
// ten.
std::pair<int, int> count_axis(int total) {
  for (int scale = 1;; scale *= 10) {
    for (int step : {scale, 2 * scale, 5 * scale}) {
      const int steps = std::max(1, (total + step - 1) / step);
      if (steps <= 5) return {step, step * steps};
    }
  }
}

data y_ticks(int step, int top_count) {
  data ticks{data::type::list};
  for (int count = 0; count <= top_count; count += step) {
    const double y = kBottom - (kBottom - kTop) * count / top_count;
    data tick;
    tick.set("y", number(y));
    tick.set("label", std::to_string(count));
    tick.set("label_x", number(kLeft - 6));
    tick.set("label_y", number(y + 4));
    ticks.push_back(tick);
  }
  return ticks;
}

data x_ticks(const TimeAxis& axis) {
  constexpr std::array<seconds, 11> steps{
      hours(1),  hours(2),      hours(3),       hours(6),       hours(12),     hours(24),
      hours(48), hours(24 * 7), hours(24 * 14), hours(24 * 28), hours(24 * 91)};
  const seconds span = axis.to - axis.from;
  seconds step = steps.back();
  for (const seconds candidate : steps) {
    if (span / candidate <= kMaxTicks) {
      step = candidate;
      break;
    }
  }
  const char* format = step >= hours(24) ? "%d %b" : "%d %b %H:%M";
  data ticks{data::type::list};
  const auto since_epoch = axis.from.time_since_epoch();
  UtcTime tick{((since_epoch + step - seconds(1)) / step) * step};
  for (; tick <= axis.to; tick += step) {
    data value;
    value.set("x", number(axis.x(tick)));
    value.set("label", date::format(format, tick));
    value.set("label_y", number(kBottom + 18));
    value.set("tick_end", number(kBottom + 5));
    ticks.push_back(value);
  }
  return ticks;
}

}  // namespace

std::string timeline_svg(const Meeting& meeting,
                         const std::vector<storage::Contribution>& contributions) {
  // Counted in the order of receipt: an accepted message may have been received before the
  // numbers given to the ones after it.
  std::vector<const storage::Contribution*> sorted;
  for (const auto& contribution : contributions) sorted.push_back(&contribution);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto* a, const auto* b) { return a->received_at < b->received_at; });

  const TimeAxis axis = time_axis(meeting, sorted);
  const auto [step, top_count] = count_axis(static_cast<int>(sorted.size()));
  const auto y = [top_count = top_count](int count) {
    return kBottom - (kBottom - kTop) * count / top_count;
  };

  data points{data::type::list};
  std::string path = fmt::format("M{} {}", number(kLeft), number(y(0)));
  int count = 0;
  for (const storage::Contribution* contribution : sorted) {
    ++count;
    const double x = axis.x(contribution->received_at);
    path += fmt::format(" H{} V{}", number(x), number(y(count)));
    data point;
    point.set("number", text_for_page(contribution->document_number.text()));
    point.set("received_iso", storage::format_utc(contribution->received_at));
    point.set("received_utc", minutes_utc(contribution->received_at));
    point.set("late", contribution->late);
    point.set("withdrawn", contribution->withdrawn.has_value());
    point.set("x", number(x));
    point.set("y", number(y(count)));
    point.set("square_x", number(x - 4));
    point.set("square_y", number(y(count) - 4));
    points.push_back(point);
  }
  path += fmt::format(" H{}", number(kRight));

  const double deadline_x = axis.x(meeting.deadline);
  const bool label_left = deadline_x > kRight - 190;
  const MeetingCounts counts = count_contributions(contributions);

  data svg;
  svg.set("width", number(kWidth));
  svg.set("height", number(kHeight));
  svg.set("left", number(kLeft));
  svg.set("right", number(kRight));
  svg.set("top", number(kTop));
  svg.set("bottom", number(kBottom));
  svg.set("axis_title_y", number(kBottom + 38));
  svg.set("meeting_id", text_for_page(meeting.id));
  svg.set("count_total", std::to_string(counts.total));
  svg.set("count_on_time", std::to_string(counts.on_time));
  svg.set("count_late", std::to_string(counts.late));
  svg.set("count_withdrawn", std::to_string(counts.withdrawn));
  svg.set("deadline_utc", policy::format_utc_for_people(meeting.deadline));
  svg.set("deadline_iso", storage::format_utc(meeting.deadline));
  svg.set("deadline_short", date::format("%d %b %H:%M UTC", meeting.deadline));
  svg.set("deadline_x", number(deadline_x));
  svg.set("deadline_label_x", number(label_left ? deadline_x - 4 : deadline_x + 4));
  svg.set("deadline_label_y", number(kTop + 12));
  svg.set("deadline_label_anchor", label_left ? "end" : "start");
  svg.set("y_ticks", y_ticks(step, top_count));
  svg.set("x_ticks", x_ticks(axis));
  svg.set("has_points", !sorted.empty());
  svg.set("path", path);
  svg.set("points", points);
  return render_page("timeline", std::move(svg));
}

}  // namespace contribd::publish
