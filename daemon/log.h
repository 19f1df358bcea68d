// Logging: one sentence per event, to journald (with priorities and structured fields) when
// systemd started us, else to stderr with a timestamp. Never passwords or message bodies.
#pragma once

#include <spdlog/spdlog.h>

namespace contribd {

enum class LogTarget { automatic, stderr_only };

// Sets the default spdlog logger. `verbose` lowers the level to debug.
void setup_logging(LogTarget target, bool verbose);

}  // namespace contribd
