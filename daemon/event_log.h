// Log lines about one message or one reply that also carry machine-readable fields, so that
// `journalctl CONTRIBD_DOCUMENT=QIT4N-I-007` finds every line about a contribution. Under
// journald (the default logger writes to spdlog's systemd sink) the line goes out through
// sd_journal_sendv with the fields; anywhere else it is an ordinary spdlog line and the fields
// are dropped (the sentence already names what matters).
#pragma once

#include <spdlog/spdlog.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace contribd {

struct LogField {
  std::string_view name;  // a journal field name: CONTRIBD_DOCUMENT, CONTRIBD_UID, ...
  std::string value;      // empty values are left out
};

void log_event(spdlog::level::level_enum level, std::string_view message,
               std::initializer_list<LogField> fields);

// The journal entry log_event() sends: MESSAGE=, PRIORITY=, SYSLOG_IDENTIFIER= (the
// journal_identifier() of log.h: contribd, or contribd-<instance>), then the fields. Control
// characters in values (a hostile subject or server text) become spaces; a field whose name is not
// a valid journal field name (A-Z, 0-9, '_', not starting with '_', at most 64 bytes) is left out
// rather than sent.
std::vector<std::string> journal_entry(spdlog::level::level_enum level, std::string_view message,
                                       std::initializer_list<LogField> fields);

}  // namespace contribd
