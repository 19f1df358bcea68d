// The secretariat's desk: the commands that change the register while the daemon runs
// (SPEC "Command line": review, accept, withdraw, release, resend). Each is one transaction on
// the register (SQLite's busy timeout waits for a batch commit of the daemon); what needs IMAP
// or SMTP is left to the daemon, which notices the change within a second or two. Each says in
// one line what it did, or refuses with one line and exit 1 what makes no sense.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "daemon/config.h"
#include "storage/register.h"

namespace contribd::desk {

struct Outcome {
  int exit_code = 0;  // 0 done, 1 refused
  std::string line;   // for stdout when done, stderr when refused
};

// Who runs the command, for the register's history: $SUDO_USER, $USER, $LOGNAME, else the
// name of the process's user, else its uid.
std::string operator_name();

// What is held: for people, a table; for programs, a JSON array.
nlohmann::json review_json(const std::vector<storage::HeldMessage>& held);
std::string review_table(const std::vector<storage::HeldMessage>& held);

// A document number as a person typed it after `contribd <command>` (show, withdraw, release,
// resend): the number, or the refusal (exit 1) naming the text and the form expected,
// `contribd withdraw: "QIT4N-I-7" is not a document number (a prefix and at least three
// digits, such as QIT4N-I-007)`.
std::variant<storage::DocumentNumber, Outcome> typed_document_number(std::string_view command,
                                                                     std::string_view text);

Outcome accept(storage::Register& register_, const Config& config, const std::string& message_id,
               const std::optional<std::string>& meeting, const std::string& actor,
               storage::UtcTime now);
Outcome withdraw(storage::Register& register_, const storage::DocumentNumber& document_number,
                 const std::string& reason, const std::string& actor, storage::UtcTime now);
Outcome release(storage::Register& register_, const storage::DocumentNumber& document_number,
                const std::string& actor, storage::UtcTime now);
Outcome resend(storage::Register& register_, const Config& config,
               const storage::DocumentNumber& document_number, const std::string& actor,
               storage::UtcTime now);

}  // namespace contribd::desk
