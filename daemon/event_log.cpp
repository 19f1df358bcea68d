#include "daemon/event_log.h"

#include <spdlog/sinks/systemd_sink.h>
#include <sys/uio.h>
#include <syslog.h>
#include <systemd/sd-journal.h>

#include <algorithm>

#include "daemon/log.h"

namespace contribd {
namespace {

constexpr std::size_t kMaxFieldName = 64;

int priority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return LOG_DEBUG;
    case spdlog::level::info:
      return LOG_INFO;
    case spdlog::level::warn:
      return LOG_WARNING;
    case spdlog::level::err:
      return LOG_ERR;
    case spdlog::level::critical:
      return LOG_CRIT;
    default:
      return LOG_INFO;
  }
}

bool valid_field_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxFieldName || name.front() == '_') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::string one_line(std::string_view text) {
  std::string line(text);
  for (char& c : line) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) c = ' ';
  }
  return line;
}

bool writes_to_journal(const spdlog::logger& logger) {
  for (const auto& sink : logger.sinks()) {
    if (dynamic_cast<const spdlog::sinks::systemd_sink_mt*>(sink.get()) ||
        dynamic_cast<const spdlog::sinks::systemd_sink_st*>(sink.get())) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<std::string> journal_entry(spdlog::level::level_enum level, std::string_view message,
                                       std::initializer_list<LogField> fields) {
  std::vector<std::string> entry;
  entry.push_back("MESSAGE=" + one_line(message));
  entry.push_back("PRIORITY=" + std::to_string(priority(level)));
  entry.push_back("SYSLOG_IDENTIFIER=" + journal_identifier());
  for (const LogField& field : fields) {
    if (field.value.empty() || !valid_field_name(field.name)) continue;
    entry.push_back(std::string(field.name) + "=" + one_line(field.value));
  }
  return entry;
}

void log_event(spdlog::level::level_enum level, std::string_view message,
               std::initializer_list<LogField> fields) {
  const auto logger = spdlog::default_logger();
  if (!logger->should_log(level)) return;
  if (!writes_to_journal(*logger)) {
    logger->log(level, "{}", message);
    return;
  }
  const std::vector<std::string> entry = journal_entry(level, message, fields);
  std::vector<iovec> parts;
  parts.reserve(entry.size());
  for (const std::string& assignment : entry) {
    parts.push_back(iovec{const_cast<char*>(assignment.data()), assignment.size()});
  }
  // A journal that cannot take the entry must not stop the daemon; fall back to the sink.
  if (sd_journal_sendv(parts.data(), static_cast<int>(parts.size())) < 0) {
    logger->log(level, "{}", message);
  }
}

}  // namespace contribd
