#include "daemon/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/systemd_sink.h>

#include <algorithm>
#include <cstdlib>

namespace contribd {
namespace {

// Set once in main() before any thread starts, read by every journal entry.
std::string& identifier_storage() {
  static std::string identifier = "contribd";
  return identifier;
}

}  // namespace

std::string journal_identifier_for(const std::filesystem::path& config_file) {
  std::string stem = config_file.stem().string();
  if (stem.empty() || stem == "contribd") return "contribd";
  std::replace_if(
      stem.begin(), stem.end(),
      [](char c) {
        const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        const bool digit = c >= '0' && c <= '9';
        return !(letter || digit || c == '-' || c == '_' || c == '.' || c == '@');
      },
      '_');
  return "contribd-" + stem;
}

const std::string& journal_identifier() {
  return identifier_storage();
}

void setup_logging(LogTarget target, bool verbose, const std::string& identifier) {
  identifier_storage() = identifier;
  std::shared_ptr<spdlog::logger> logger;
  // systemd sets JOURNAL_STREAM when our stderr is connected to the journal: then write to
  // journald directly so that priorities and fields survive.
  const bool journald = target == LogTarget::automatic && std::getenv("JOURNAL_STREAM") != nullptr;
  if (journald) {
    auto sink = std::make_shared<spdlog::sinks::systemd_sink_mt>(identifier);
    logger = std::make_shared<spdlog::logger>("contribd", sink);
    logger->set_pattern("%v");
  } else {
    auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>(spdlog::color_mode::never);
    logger = std::make_shared<spdlog::logger>("contribd", sink);
    // With --verbose the time has milliseconds: what a step costs can be read off the log.
    logger->set_pattern(verbose ? "%Y-%m-%d %H:%M:%S.%e %l %v" : "%Y-%m-%d %H:%M:%S %l %v");
  }
  logger->set_level(verbose ? spdlog::level::debug : spdlog::level::info);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace contribd
