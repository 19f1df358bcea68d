// A meeting as the intake policy sees it: plain data, times in UTC.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace contribd {

using UtcTime = std::chrono::sys_seconds;

struct Meeting {
  std::string id;  // "QIT4N-05"
  std::string title;
  UtcTime deadline;             // input documents on time up to and including this second
  UtcTime closes;               // end of the meeting
  std::string timezone;         // IANA zone for display ("Europe/Geneva"), or "" for UTC
  std::string document_prefix;  // "QIT4N-I-"
  std::int64_t first_number = 1;
};

}  // namespace contribd
