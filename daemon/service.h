// The daemon's two ways of running: one pass (`run --once`) and the long-running service.
#pragma once

#include <filesystem>

namespace contribd {

// Exit codes of `contribd run`.
enum ExitCode : int { exit_ok = 0, exit_runtime_error = 1, exit_config_error = 2 };

// Processes everything waiting in the mailbox and every due reply, then returns: exit_ok when
// all was handled, exit_runtime_error when something could not be done (a server error, a
// reply left queued). Configuration problems are exit_config_error.
int run_once(const std::filesystem::path& config_file);

// Runs until SIGTERM or SIGINT; SIGHUP reloads meetings and templates.
int run_service(const std::filesystem::path& config_file);

}  // namespace contribd
