#include "daemon/publish/page_time.h"

#include "daemon/policy/deadline.h"

namespace contribd::publish {

std::string minutes_utc(UtcTime time) {
  // format_utc: "2020-07-20 08:00:00 UTC"
  return policy::format_utc_for_people(time).substr(0, 16) + " UTC";
}

std::string date_utc(UtcTime time) {
  return policy::format_utc_for_people(time).substr(0, 10);
}

}  // namespace contribd::publish
