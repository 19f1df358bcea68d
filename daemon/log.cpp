#include "daemon/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/systemd_sink.h>

#include <cstdlib>

namespace contribd {

void setup_logging(LogTarget target, bool verbose) {
  std::shared_ptr<spdlog::logger> logger;
  // systemd sets JOURNAL_STREAM when our stderr is connected to the journal: then write to
  // journald directly so that priorities and fields survive.
  const bool journald = target == LogTarget::automatic && std::getenv("JOURNAL_STREAM") != nullptr;
  if (journald) {
    auto sink = std::make_shared<spdlog::sinks::systemd_sink_mt>("contribd");
    logger = std::make_shared<spdlog::logger>("contribd", sink);
    logger->set_pattern("%v");
  } else {
    auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>(spdlog::color_mode::never);
    logger = std::make_shared<spdlog::logger>("contribd", sink);
    logger->set_pattern("%Y-%m-%d %H:%M:%S %l %v");
  }
  logger->set_level(verbose ? spdlog::level::debug : spdlog::level::info);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace contribd
