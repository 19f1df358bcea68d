// contribd: the contribution intake daemon's command line.
#include <fmt/format.h>
#include <malloc.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <optional>
#include <variant>

#include "daemon/auth/sign_in.h"
#include "daemon/cli/desk.h"
#include "daemon/cli/register_view.h"
#include "daemon/config.h"
#include "daemon/intake/extraction_jail.h"
#include "daemon/log.h"
#include "daemon/publish/publish_site.h"
#include "daemon/reply/composer.h"
#include "daemon/service.h"
#include "storage/register.h"

namespace {

using namespace contribd;

// Reading commands open the register as it is; they never create or migrate one.
storage::Register open_existing_register(const Config& config) {
  return storage::Register::open_read_only(config.storage.database);
}

int list_command(const std::string& config_file, const std::string& meeting, bool json) {
  const Config config = load_config(config_file, FileChecks::skip);
  auto register_ = open_existing_register(config);
  const auto contributions =
      register_.list(meeting.empty() ? std::nullopt : std::optional<std::string>(meeting));
  if (json) {
    nlohmann::json array = nlohmann::json::array();
    for (const auto& contribution : contributions) array.push_back(contribution_json(contribution));
    std::cout << array.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    std::cout << contributions_table(contributions);
  }
  return exit_ok;
}

int show_command(const std::string& config_file, const storage::DocumentNumber& document_number,
                 bool json) {
  const Config config = load_config(config_file, FileChecks::skip);
  auto register_ = open_existing_register(config);
  const auto contribution = register_.find(document_number);
  if (!contribution) {
    std::cerr << "contribd: " << document_number << ": no such contribution in "
              << config.storage.database.string() << "\n";
    return exit_runtime_error;
  }
  if (json) {
    std::cout << contribution_json(*contribution)
                     .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
              << "\n";
  } else {
    std::cout << contribution_details(*contribution, register_.events(document_number));
  }
  return exit_ok;
}

int check_config_command(const std::string& config_file) {
  const Config config = load_config(config_file);
  auth::load_credentials(config.imap);  // reads the password or token secret files
  auth::load_credentials(config.smtp);
  reply::load_configured_templates(config);
  std::cout << describe(config)
            << fmt::format("journal  lines tagged {0} (journalctl -t {0})\n", journal_identifier())
            << "configuration is valid\n";
  return exit_ok;
}

int review_command(const std::string& config_file, bool json) {
  const Config config = load_config(config_file, FileChecks::skip);
  auto register_ = open_existing_register(config);
  auto held = register_.held_messages(storage::HeldState::held);
  auto accepted = register_.held_messages(storage::HeldState::accepted);
  held.insert(held.end(), accepted.begin(), accepted.end());
  if (json) {
    std::cout << desk::review_json(held).dump(2, ' ', false,
                                              nlohmann::json::error_handler_t::replace)
              << "\n";
  } else {
    std::cout << desk::review_table(held);
  }
  return exit_ok;
}

// Writes the document lists now, as the daemon does after every change (SPEC step 11).
int publish_command(const std::string& config_file) {
  const Config config = load_config(config_file, FileChecks::skip);
  if (config.publish.dir.empty()) {
    throw ConfigError(config.source.string() +
                      ": [publish] dir is not set, so there is nothing to publish");
  }
  auto register_ = open_existing_register(config);
  const publish::PublishReport report = publish::publish_site(config, register_);
  for (const std::string& problem : report.file_problems) {
    std::cerr << "contribd: not published: " << problem << "\n";
  }
  // The rest is published; what could not be is said above, and the exit status says it too.
  std::cout << fmt::format(
      "published {} contribution{} of {} meeting{} in {}: {} page{} changed, {} file{} added\n",
      report.contributions, report.contributions == 1 ? "" : "s", report.meetings,
      report.meetings == 1 ? "" : "s", config.publish.dir.string(), report.pages_written,
      report.pages_written == 1 ? "" : "s", report.files_placed,
      report.files_placed == 1 ? "" : "s");
  return report.file_problems.empty() ? exit_ok : exit_runtime_error;
}

// The document number typed after `contribd <command>`; nullopt once the refusal is printed.
std::optional<storage::DocumentNumber> typed_document_number(const std::string& command,
                                                             const std::string& text) {
  auto typed = desk::typed_document_number(command, text);
  if (const auto* refusal = std::get_if<desk::Outcome>(&typed)) {
    std::cerr << refusal->line << "\n";
    return std::nullopt;
  }
  return std::get<storage::DocumentNumber>(std::move(typed));
}

// A desk command: one transaction on the register, one line on stdout (done) or stderr
// (refused, exit 1).
// The journal gets one line per change, beside the daemon's; without journald it is dropped.
void note_in_journal(const std::string& line, const std::string& command) {
  const std::string actor = desk::operator_name();
  sd_journal_send("MESSAGE=%s: %s", actor.c_str(), line.c_str(), "PRIORITY=5",
                  "SYSLOG_IDENTIFIER=%s", journal_identifier().c_str(), "CONTRIBD_ACTOR=%s",
                  actor.c_str(), "CONTRIBD_COMMAND=%s", command.c_str(), nullptr);
}

template <typename Command>
int desk_command(const std::string& config_file, const std::string& name, Command command) {
  const Config config = load_config(config_file, FileChecks::skip);
  auto register_ = storage::Register::open(config.storage.database);
  const desk::Outcome outcome =
      command(register_, config, desk::operator_name(), storage::now_utc());
  (outcome.exit_code == 0 ? std::cout : std::cerr)
      << (outcome.exit_code == 0 ? "" : "contribd: ") << outcome.line << "\n";
  if (outcome.exit_code == 0) note_in_journal(outcome.line, name);
  return outcome.exit_code;
}

// Message bodies and decoded files of a few hundred KB are allocated and freed for every
// message. Above glibc's default mmap threshold each one would be a fresh mapping whose pages
// fault in one by one and are zeroed by the kernel; kept in the heap, they are reused. Large
// attachments are streamed to files, so the heap stays small anyway.
void keep_message_buffers_in_the_heap() {
  constexpr int kMmapThreshold = 16 << 20;
  mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
  mallopt(M_TRIM_THRESHOLD, 2 * kMmapThreshold);
}

// The daemon's own child that takes messages apart (extraction_jail.h): not a command for
// people, so it is not in the help.
bool is_extract_worker(int argc, char** argv) {
  return argc >= 2 && std::string_view(argv[1]) == "extract-worker";
}

int extract_worker(int argc, char** argv) {
  std::uint64_t memory_bytes = 0;
  if (argc >= 4 && std::string_view(argv[2]) == "--memory") {
    memory_bytes = std::strtoull(argv[3], nullptr, 10);
  }
  return run_extract_worker(3, memory_bytes);
}

}  // namespace

int main(int argc, char** argv) {
  if (is_extract_worker(argc, argv)) return extract_worker(argc, argv);
  keep_message_buffers_in_the_heap();
  CLI::App app{
      "contribd: registers contributions e-mailed to a secretariat mailbox and answers "
      "their senders"};
  app.require_subcommand(1);
  std::string config_file;
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "log debug detail");
  app.set_version_flag("--version", "contribd " CONTRIBD_VERSION);

  auto* run = app.add_subcommand("run", "run the daemon");
  bool once = false;
  run->add_option("--config", config_file, "configuration file")->required();
  run->add_flag("--once", once, "process what is waiting, send due replies, then exit");

  auto* list = app.add_subcommand("list", "print the register");
  std::string meeting;
  bool json = false;
  list->add_option("--config", config_file, "configuration file")->required();
  list->add_option("--meeting", meeting, "only this meeting's contributions");
  list->add_flag("--json", json, "a JSON array for programs");

  auto* show = app.add_subcommand("show", "print one contribution in full");
  std::string document_number;
  show->add_option("--config", config_file, "configuration file")->required();
  show->add_option("document", document_number, "document number, e.g. QIT4N-I-007")->required();
  show->add_flag("--json", json, "JSON for programs");

  auto* check = app.add_subcommand("check-config", "validate the configuration file");
  check->add_option("--config", config_file, "configuration file")->required();

  auto* review = app.add_subcommand("review", "list the messages held for a person");
  review->add_option("--config", config_file, "configuration file")->required();
  review->add_flag("--json", json, "a JSON array for programs");

  auto* accept = app.add_subcommand("accept", "register a held message");
  std::string message_id;
  accept->add_option("--config", config_file, "configuration file")->required();
  accept->add_option("message-id", message_id, "its Message-ID, with or without <>")->required();
  accept->add_option("--meeting", meeting, "register it for this meeting");

  auto* withdraw = app.add_subcommand("withdraw", "mark a contribution withdrawn");
  std::string reason;
  withdraw->add_option("--config", config_file, "configuration file")->required();
  withdraw->add_option("document", document_number, "document number")->required();
  withdraw->add_option("--reason", reason, "why, for the record");

  auto* release = app.add_subcommand("release", "send a withheld reply");
  release->add_option("--config", config_file, "configuration file")->required();
  release->add_option("document", document_number, "document number")->required();

  auto* resend = app.add_subcommand("resend", "queue a contribution's reply again");
  resend->add_option("--config", config_file, "configuration file")->required();
  resend->add_option("document", document_number, "document number")->required();

  auto* publish = app.add_subcommand("publish", "write the published document lists now");
  publish->add_option("--config", config_file, "configuration file")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : exit_config_error;
  }

  try {
    if (*run) {
      setup_logging(LogTarget::automatic, verbose, journal_identifier_for(config_file));
      return once ? run_once(config_file) : run_service(config_file);
    }
    setup_logging(LogTarget::stderr_only, verbose, journal_identifier_for(config_file));
    if (*list) return list_command(config_file, meeting, json);
    if (*show) {
      const auto number = typed_document_number("show", document_number);
      return number ? show_command(config_file, *number, json) : exit_runtime_error;
    }
    if (*check) return check_config_command(config_file);
    if (*review) return review_command(config_file, json);
    if (*publish) return publish_command(config_file);
    if (*accept) {
      const std::optional<std::string> chosen =
          meeting.empty() ? std::nullopt : std::optional<std::string>(meeting);
      return desk_command(config_file, "accept",
                          [&](auto& register_, const Config& config, const std::string& actor,
                              storage::UtcTime now) {
                            return desk::accept(register_, config, message_id, chosen, actor, now);
                          });
    }
    if (*withdraw) {
      const auto number = typed_document_number("withdraw", document_number);
      if (!number) return exit_runtime_error;
      return desk_command(
          config_file, "withdraw",
          [&](auto& register_, const Config&, const std::string& actor, storage::UtcTime now) {
            return desk::withdraw(register_, *number, reason, actor, now);
          });
    }
    if (*release) {
      const auto number = typed_document_number("release", document_number);
      if (!number) return exit_runtime_error;
      return desk_command(
          config_file, "release",
          [&](auto& register_, const Config&, const std::string& actor, storage::UtcTime now) {
            return desk::release(register_, *number, actor, now);
          });
    }
    if (*resend) {
      const auto number = typed_document_number("resend", document_number);
      if (!number) return exit_runtime_error;
      return desk_command(config_file, "resend",
                          [&](auto& register_, const Config& config, const std::string& actor,
                              storage::UtcTime now) {
                            return desk::resend(register_, config, *number, actor, now);
                          });
    }
  } catch (const ConfigError& error) {
    std::cerr << "contribd: " << error.what() << "\n";
    return exit_config_error;
  } catch (const std::exception& error) {
    std::cerr << "contribd: " << error.what() << "\n";
    return exit_runtime_error;
  }
  return exit_ok;
}
