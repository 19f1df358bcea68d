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

// What the command line said: every option's value, and the subcommands to tell which one ran.
struct CommandLine {
  std::string config_file;
  std::string meeting;
  std::string document_number;
  std::string message_id;
  std::string reason;
  bool verbose = false;
  bool once = false;
  bool json = false;
  CLI::App* run = nullptr;
  CLI::App* list = nullptr;
  CLI::App* show = nullptr;
  CLI::App* check = nullptr;
  CLI::App* review = nullptr;
  CLI::App* accept = nullptr;
  CLI::App* withdraw = nullptr;
  CLI::App* release = nullptr;
  CLI::App* resend = nullptr;
  CLI::App* publish = nullptr;
};

CLI::App* add_command(CLI::App& app, const char* name, const char* description, CommandLine& line) {
  CLI::App* command = app.add_subcommand(name, description);
  command->add_option("--config", line.config_file, "configuration file")->required();
  return command;
}

void define_commands(CLI::App& app, CommandLine& line) {
  app.require_subcommand(1);
  app.add_flag("-v,--verbose", line.verbose, "log debug detail");
  app.set_version_flag("--version", "contribd " CONTRIBD_VERSION);

  line.run = add_command(app, "run", "run the daemon", line);
  line.run->add_flag("--once", line.once, "process what is waiting, send due replies, then exit");

  line.list = add_command(app, "list", "print the register", line);
  line.list->add_option("--meeting", line.meeting, "only this meeting's contributions");
  line.list->add_flag("--json", line.json, "a JSON array for programs");

  line.show = add_command(app, "show", "print one contribution in full", line);
  line.show->add_option("document", line.document_number, "document number, e.g. QIT4N-I-007")
      ->required();
  line.show->add_flag("--json", line.json, "JSON for programs");

  line.check = add_command(app, "check-config", "validate the configuration file", line);

  line.review = add_command(app, "review", "list the messages held for a person", line);
  line.review->add_flag("--json", line.json, "a JSON array for programs");

  line.accept = add_command(app, "accept", "register a held message", line);
  line.accept->add_option("message-id", line.message_id, "its Message-ID, with or without <>")
      ->required();
  line.accept->add_option("--meeting", line.meeting, "register it for this meeting");

  line.withdraw = add_command(app, "withdraw", "mark a contribution withdrawn", line);
  line.withdraw->add_option("document", line.document_number, "document number")->required();
  line.withdraw->add_option("--reason", line.reason, "why, for the record");

  line.release = add_command(app, "release", "send a withheld reply", line);
  line.release->add_option("document", line.document_number, "document number")->required();

  line.resend = add_command(app, "resend", "queue a contribution's reply again", line);
  line.resend->add_option("document", line.document_number, "document number")->required();

  line.publish = add_command(app, "publish", "write the published document lists now", line);
}

// withdraw, release and resend: the number as typed is checked first, then one desk
// transaction.
template <typename Change>
int numbered_desk_command(const CommandLine& line, const std::string& name, Change change) {
  const auto number = typed_document_number(name, line.document_number);
  if (!number) return exit_runtime_error;
  return desk_command(
      line.config_file, name,
      [&](auto& register_, const Config& config, const std::string& actor, storage::UtcTime now) {
        return change(register_, config, *number, actor, now);
      });
}

int accept_command(const CommandLine& line) {
  const std::optional<std::string> chosen =
      line.meeting.empty() ? std::nullopt : std::optional<std::string>(line.meeting);
  return desk_command(
      line.config_file, "accept",
      [&](auto& register_, const Config& config, const std::string& actor, storage::UtcTime now) {
        return desk::accept(register_, config, line.message_id, chosen, actor, now);
      });
}

// The commands that read or change the register, with their logging on stderr.
int register_command(const CommandLine& line) {
  setup_logging(LogTarget::stderr_only, line.verbose, journal_identifier_for(line.config_file));
  if (*line.list) return list_command(line.config_file, line.meeting, line.json);
  if (*line.show) {
    const auto number = typed_document_number("show", line.document_number);
    return number ? show_command(line.config_file, *number, line.json) : exit_runtime_error;
  }
  if (*line.check) return check_config_command(line.config_file);
  if (*line.review) return review_command(line.config_file, line.json);
  if (*line.publish) return publish_command(line.config_file);
  if (*line.accept) return accept_command(line);
  if (*line.withdraw) {
    return numbered_desk_command(
        line, "withdraw", [&](auto& register_, const Config&, auto& number, auto& actor, auto now) {
          return desk::withdraw(register_, number, line.reason, actor, now);
        });
  }
  if (*line.release) {
    return numbered_desk_command(
        line, "release", [](auto& register_, const Config&, auto& number, auto& actor, auto now) {
          return desk::release(register_, number, actor, now);
        });
  }
  if (*line.resend) {
    return numbered_desk_command(
        line, "resend",
        [](auto& register_, const Config& config, auto& number, auto& actor, auto now) {
          return desk::resend(register_, config, number, actor, now);
        });
  }
  return exit_ok;
}

int run_command(const CommandLine& line) {
  try {
    if (*line.run) {
      setup_logging(LogTarget::automatic, line.verbose, journal_identifier_for(line.config_file));
      return line.once ? run_once(line.config_file) : run_service(line.config_file);
    }
    return register_command(line);
  } catch (const ConfigError& error) {
    std::cerr << "contribd: " << error.what() << "\n";
    return exit_config_error;
  } catch (const std::exception& error) {
    std::cerr << "contribd: " << error.what() << "\n";
    return exit_runtime_error;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (is_extract_worker(argc, argv)) return extract_worker(argc, argv);
  keep_message_buffers_in_the_heap();
  CLI::App app{
      "contribd: registers contributions e-mailed to a secretariat mailbox and answers "
      "their senders"};
  CommandLine line;
  define_commands(app, line);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : exit_config_error;
  }
  return run_command(line);
}
