// Logging: one sentence per event, to journald (with priorities and structured fields) when
// systemd started us, else to stderr with a timestamp. Never passwords or message bodies.
#pragma once

#include <spdlog/spdlog.h>

#include <filesystem>
#include <string>

namespace contribd {

enum class LogTarget { automatic, stderr_only };

// The journal's SYSLOG_IDENTIFIER for the group a configuration file serves: "contribd" for
// contribd.toml (contribd.service), "contribd-<stem>" for any other (contribd@<stem>.service
// reads /etc/contribd/<stem>.toml), so that `journalctl -t contribd-qit4n` shows one group's
// lines, the desk commands run from a shell included. Characters other than letters, digits
// and "-_.@" become "_".
std::string journal_identifier_for(const std::filesystem::path& config_file);

// Sets the default spdlog logger and the journal identifier of every line (journal_identifier).
// `verbose` lowers the level to debug.
void setup_logging(LogTarget target, bool verbose, const std::string& identifier = "contribd");

// The identifier setup_logging() was given; "contribd" before it is called.
const std::string& journal_identifier();

}  // namespace contribd
