#include "daemon/config.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "daemon/policy/deadline.h"
#include "daemon/smtp/smtp_wire.h"
#include "storage/utc_text.h"

namespace contribd {
namespace {

namespace fs = std::filesystem;

// A folder with a password file and a config written from a template.
class ConfigFile : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = fs::temp_directory_path() /
              ("contribd-config-" + std::to_string(::getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(folder_);
    write("imap.password", "secret\n");
  }
  void TearDown() override { fs::remove_all(folder_); }

  void write(const std::string& name, const std::string& text) {
    std::ofstream(folder_ / name) << text;
  }

  static std::string valid(const std::string& imap_extra = "", const std::string& tail = "") {
    return R"([imap]
host = "imap.example.org"
username = "tsbfgqit4n"
password_file = "imap.password"
)" + imap_extra +
           R"(
[smtp]
host = "smtp.example.org"
username = "tsbfgqit4n"
password_file = "imap.password"
from = "tsbfgqit4n@itu.int"

[storage]
database = "state/contribd.sqlite"
files_dir = "/var/lib/contribd/files"

[[meeting]]
id = "QIT4N-06"
deadline = "2020-10-20T23:59:59+02:00"
closes = "2020-10-30T23:59:59+01:00"
document_prefix = "QIT4N-I-"

[[meeting]]
id = "QIT4N-05"
deadline = "2020-07-22T23:59:59+02:00"
closes = "2020-08-07T23:59:59+02:00"
document_prefix = "QIT4N-I-"
first_number = 1
)" + tail;
  }

  // `text` with its first `from` replaced by `to`.
  static std::string replaced(std::string text, const std::string& from, const std::string& to) {
    text.replace(text.find(from), from.size(), to);
    return text;
  }

  // The valid file with `lines` added to its [smtp] section.
  static std::string with_smtp(const std::string& lines) {
    return replaced(valid(), "\n[storage]", lines + "\n[storage]");
  }

  Config load(const std::string& text) {
    write("contribd.toml", text);
    return load_config(folder_ / "contribd.toml");
  }

  std::string error_of(const std::string& text) {
    try {
      load(text);
    } catch (const ConfigError& error) {
      return error.what();
    }
    return "no error";
  }

  // `text` as a TOML basic string, control characters escaped.
  static std::string toml_string(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
      if (c == '"' || c == '\\') {
        out += fmt::format("\\{}", c);
      } else if (static_cast<unsigned char>(c) < 0x20) {
        out += fmt::format("\\u{:04X}", static_cast<unsigned>(c));
      } else {
        out += c;
      }
    }
    return out + "\"";
  }

  fs::path folder_;
};

TEST_F(ConfigFile, ReadsDefaultsAndResolvesRelativePaths) {
  const Config config = load(valid());
  EXPECT_EQ(config.imap.endpoint.port, 993);
  EXPECT_EQ(config.imap.endpoint.security, net::Security::tls);
  EXPECT_EQ(config.smtp.endpoint.port, 587);
  EXPECT_EQ(config.smtp.endpoint.security, net::Security::starttls);
  EXPECT_EQ(config.imap.processed_folder, "Registered");
  EXPECT_EQ(config.storage.database, folder_ / "state/contribd.sqlite");
  EXPECT_EQ(config.imap.password_file, folder_ / "imap.password");
  EXPECT_EQ(config.replies.max_per_sender_per_hour, 10);
}

TEST_F(ConfigFile, SortsMeetingsByClosingTime) {
  const Config config = load(valid());
  ASSERT_EQ(config.meetings.size(), 2u);
  EXPECT_EQ(config.meetings[0].id, "QIT4N-05");
  EXPECT_EQ(storage::format_utc(config.meetings[0].deadline), "2020-07-22T21:59:59Z");
  EXPECT_EQ(config.meetings[1].id, "QIT4N-06");
}

TEST_F(ConfigFile, UnknownKeyNamesFileAndKey) {
  const std::string error = error_of(valid("colour = \"blue\"\n"));
  EXPECT_NE(error.find("contribd.toml: imap.colour: unknown key"), std::string::npos) << error;
}

TEST_F(ConfigFile, PlaintextIsRefused) {
  const std::string error = error_of(valid("security = \"none\"\n"));
  EXPECT_NE(error.find("imap.security"), std::string::npos) << error;
  EXPECT_NE(error.find("plaintext is refused"), std::string::npos) << error;
}

TEST_F(ConfigFile, UnreadablePasswordFileNamesKeyAndPath) {
  std::string text = valid();
  text.replace(text.find("password_file = \"imap.password\""), 31,
               "password_file = \"missing.password\"");
  const std::string error = error_of(text);
  EXPECT_NE(error.find("imap.password_file"), std::string::npos) << error;
  EXPECT_NE(error.find("missing.password"), std::string::npos) << error;
}

TEST_F(ConfigFile, SyntaxErrorGivesLineAndColumn) {
  const std::string error = error_of("[imap\nhost = 1\n");
  EXPECT_NE(error.find("contribd.toml:1:"), std::string::npos) << error;
}

TEST_F(ConfigFile, BadDeadlineNamesMeetingKey) {
  std::string text = valid();
  text.replace(text.find("2020-07-22T23:59:59+02:00"), 25, "22 July 2020");
  const std::string error = error_of(text);
  EXPECT_NE(error.find("meeting[1].deadline"), std::string::npos) << error;
}

TEST_F(ConfigFile, DuplicateMeetingIdIsAnError) {
  std::string text = valid();
  text.replace(text.find("QIT4N-06"), 8, "QIT4N-05");
  EXPECT_NE(error_of(text).find("used by another meeting"), std::string::npos);
}

TEST_F(ConfigFile, EhloNameIsTheHostsNameUnlessGiven) {
  const Config config = load(valid());
  EXPECT_TRUE(smtp::is_valid_helo_name(config.smtp.helo)) << config.smtp.helo;
  EXPECT_EQ(config.replies.max_backoff_seconds, 60);
  std::string text = valid();
  text.replace(text.find("[smtp]"), 6, "[smtp]\nhelo = \"contribd.itu.int\"");
  EXPECT_EQ(load(text).smtp.helo, "contribd.itu.int");
  text.replace(text.find("contribd.itu.int"), 16, "two words");
  EXPECT_NE(error_of(text).find("smtp.helo"), std::string::npos) << error_of(text);
}

TEST_F(ConfigFile, ReplyBackoffCapIsAKey) {
  const Config config = load(valid("", "[replies]\nmax_backoff_seconds = 300\n"));
  EXPECT_EQ(config.replies.max_backoff_seconds, 300);
  EXPECT_NE(error_of(valid("", "[replies]\nmax_backoff_seconds = 0\n")).find("max_backoff_seconds"),
            std::string::npos);
}

TEST_F(ConfigFile, OptionalTablesHaveTheirDefaults) {
  const Config config = load(valid());
  EXPECT_EQ(config.imap.review_folder, "Review");
  EXPECT_EQ(config.replies.max_per_hour, 200);
  EXPECT_TRUE(config.trust.authserv_id.empty());
  EXPECT_TRUE(config.publish.dir.empty());
  EXPECT_TRUE(config.publish.base_template_url.empty());
  EXPECT_EQ(config.limits.max_header_bytes, 1u << 20);
  EXPECT_EQ(config.limits.parser_memory_bytes, 1ull << 30);
}

TEST_F(ConfigFile, ReadsTrustPublishAndTheNewLimits) {
  const Config config = load(valid("review_folder = \"Held\"\n", R"(
[replies]
max_per_hour = 50

[trust]
authserv_id = "mx.itu.int"
unauthenticated = "reply"

[publish]
dir = "public"
base_template_url = "https://www.itu.int/en/ITU-T/focusgroups/qit4n/Pages/default.aspx"

[limits]
max_header_bytes = 65536
max_header_field_bytes = 8192
max_header_lines = 400
max_file_bytes = 10485760
message_seconds = 20
parser_memory_bytes = 536870912
)"));
  EXPECT_EQ(config.imap.review_folder, "Held");
  EXPECT_EQ(config.replies.max_per_hour, 50);
  EXPECT_EQ(config.trust.authserv_id, "mx.itu.int");
  EXPECT_EQ(config.trust.unauthenticated, TrustConfig::Unauthenticated::reply);
  EXPECT_EQ(config.publish.dir, folder_ / "public");
  EXPECT_EQ(config.publish.base_template_url,
            "https://www.itu.int/en/ITU-T/focusgroups/qit4n/Pages/default.aspx");
  EXPECT_EQ(config.limits.max_header_bytes, 65536u);
  EXPECT_EQ(config.limits.max_header_field_bytes, 8192u);
  EXPECT_EQ(config.limits.max_header_lines, 400);
  EXPECT_EQ(config.limits.max_file_bytes, 10485760u);
  EXPECT_EQ(config.limits.message_seconds, 20);
  EXPECT_EQ(config.limits.parser_memory_bytes, 536870912u);
}

TEST_F(ConfigFile, UnauthenticatedDefaultsToWithhold) {
  const Config config = load(valid("", "[trust]\nauthserv_id = \"mx.itu.int\"\n"));
  EXPECT_EQ(config.trust.unauthenticated, TrustConfig::Unauthenticated::withhold);
}

TEST_F(ConfigFile, ReviewFolderMustBeItsOwnFolder) {
  EXPECT_NE(error_of(valid("review_folder = \"INBOX\"\n"))
                .find("imap.review_folder: must differ from folder"),
            std::string::npos);
  EXPECT_NE(error_of(valid("review_folder = \"Registered\"\n"))
                .find("imap.review_folder: must differ from processed_folder"),
            std::string::npos);
  EXPECT_NE(error_of(valid("review_folder = \"\"\n")).find("imap.review_folder"),
            std::string::npos);
}

TEST_F(ConfigFile, FolderThatImapCannotNameIsRefused) {
  const std::string error = error_of(valid("review_folder = \"Zur Prüfung\"\n"));
  EXPECT_NE(error.find("imap.review_folder: folder name"), std::string::npos) << error;
}

// Gmail's system labels live under "[Gmail]/" ("[Google Mail]/" in the UK and Germany).
TEST_F(ConfigFile, GmailSystemLabelsAreRefusedWithWhatToWriteInstead) {
  const std::string trash = error_of(valid("processed_folder = \"[Gmail]/Trash\"\n"));
  EXPECT_NE(trash.find("imap.processed_folder: Gmail deletes what is in \"[Gmail]/Trash\" after "
                       "30 days; write a label of your own such as \"Registered\""),
            std::string::npos)
      << trash;
  const std::string root = error_of(valid("review_folder = \"[Google Mail]\"\n"));
  EXPECT_NE(root.find("imap.review_folder: \"[Google Mail]\" is Gmail's container"),
            std::string::npos)
      << root;
  const std::string nested = error_of(valid("review_folder = \"[Gmail]/Review\"\n"));
  EXPECT_NE(nested.find("Gmail creates no label under \"[Gmail]/\"; write a label of your own "
                        "such as \"Review\""),
            std::string::npos)
      << nested;
  EXPECT_NE(error_of(valid("folder = \"[Gmail]/All Mail\"\n")).find("imap.folder: "),
            std::string::npos);
  EXPECT_NE(error_of(valid("review_folder = \"[Gmail]/Starred\"\n")).find("system label"),
            std::string::npos);
}

TEST_F(ConfigFile, GmailAllMailAsProcessedFolderIsANoteInTheDescription) {
  const Config config = load(valid("processed_folder = \"[Gmail]/All Mail\"\n"));
  ASSERT_EQ(config.imap.folder_notes.size(), 1u);
  EXPECT_NE(describe(config).find("note: processed_folder: on Gmail, moving to \"[Gmail]/All "
                                  "Mail\" archives the message"),
            std::string::npos)
      << describe(config);
  EXPECT_TRUE(load(valid("processed_folder = \"Gmail/Registered\"\n")).imap.folder_notes.empty());
}

// RFC 2177: a server may end an IDLE of 30 minutes; the renewal stays below 29.
TEST_F(ConfigFile, IdleRenewalDefaultsBelowTwentyNineMinutesAndMayNotExceedThem) {
  EXPECT_LT(load(valid()).imap.idle_refresh_seconds, 29 * 60);
  EXPECT_EQ(load(valid("idle_refresh_seconds = 1740\n")).imap.idle_refresh_seconds, 1740);
  EXPECT_NE(error_of(valid("idle_refresh_seconds = 1741\n")).find("imap.idle_refresh_seconds"),
            std::string::npos);
}

TEST_F(ConfigFile, NoopIntervalIsOffByDefaultAndRefusesATooShortOne) {
  using ::testing::HasSubstr;
  const Config defaults = load(valid());
  EXPECT_EQ(defaults.imap.noop_interval_ms, 0);
  EXPECT_THAT(describe(defaults), HasSubstr("IDLE when offered, renewed every 300 s"));
  const Config noop = load(valid("noop_interval_ms = 100\n"));
  EXPECT_EQ(noop.imap.noop_interval_ms, 100);
  EXPECT_THAT(describe(noop), HasSubstr("NOOP every 100 ms instead of IDLE"));
  EXPECT_THAT(error_of(valid("noop_interval_ms = 10\n")),
              HasSubstr("imap.noop_interval_ms: must be 0 (IDLE or polling) or at least 50"));
  EXPECT_THAT(error_of(valid("noop_interval_ms = 60001\n")), HasSubstr("imap.noop_interval_ms"));
}

// check-config shows a meeting's first number as the register will write it; a prefix whose
// trailing digits and the number's could not be read back is refused at load.
TEST_F(ConfigFile, FirstNumberIsShownAsIssuedAndOneThatCannotBeReadBackIsRefused) {
  using ::testing::HasSubstr;
  EXPECT_THAT(describe(load(valid())), HasSubstr("numbers QIT4N-I-001+"));
  const std::string long_digits = replaced(valid(), "first_number = 1", "first_number = 999999999");
  EXPECT_THAT(error_of(replaced(long_digits, "\"QIT4N-I-\"\nfirst", "\"X1234567890123\"\nfirst")),
              HasSubstr("first_number: document number 999999999 for prefix \"X1234567890123\""));
}

// One rule picks the wait (service.cpp) and words it (start-up line, check-config): a NOOP
// interval wins over IDLE, and IDLE needs both the key and the server's offer.
TEST_F(ConfigFile, TheWaitIsNoopIntervalThenIdleWhenOfferedThenPolling) {
  const ImapConfig idle = load(valid()).imap;
  EXPECT_EQ(mail_wait(idle, true), MailWait::idle);
  EXPECT_EQ(mail_wait(idle, false), MailWait::poll);
  EXPECT_EQ(describe_waiting(idle, true), "IDLE, renewed every 300 s");
  EXPECT_EQ(describe_waiting(idle, false), "polling every 60 s");

  const ImapConfig no_idle = load(valid("idle = false\n")).imap;
  EXPECT_EQ(mail_wait(no_idle, true), MailWait::poll);
  EXPECT_EQ(describe_waiting(no_idle), "polling every 60 s");

  const ImapConfig noop = load(valid("noop_interval_ms = 100\n")).imap;
  EXPECT_EQ(mail_wait(noop, true), MailWait::noop);
  EXPECT_EQ(mail_wait(noop, false), MailWait::noop);
  EXPECT_EQ(describe_waiting(noop, false), "NOOP every 100 ms instead of IDLE");
}

TEST_F(ConfigFile, MaxPerHourOutOfRangeNamesKey) {
  const std::string error = error_of(valid("", "[replies]\nmax_per_hour = 1000001\n"));
  EXPECT_NE(error.find("replies.max_per_hour: must be between 0 and 1000000"), std::string::npos)
      << error;
}

TEST_F(ConfigFile, TrustNeedsAuthservId) {
  const std::string error = error_of(valid("", "[trust]\nunauthenticated = \"withhold\"\n"));
  EXPECT_NE(error.find("trust.authserv_id: missing"), std::string::npos) << error;
}

TEST_F(ConfigFile, AuthservIdMustLookLikeAHostName) {
  for (const char* bad : {"", "mx itu.int", "mx.itu.int;", "-mx.itu.int", "mx..itu.int"}) {
    const std::string error =
        error_of(valid("", fmt::format("[trust]\nauthserv_id = \"{}\"\n", bad)));
    EXPECT_NE(error.find("trust.authserv_id: must be the host name"), std::string::npos)
        << bad << ": " << error;
  }
}

TEST_F(ConfigFile, UnknownUnauthenticatedValueNamesKey) {
  const std::string error =
      error_of(valid("", "[trust]\nauthserv_id = \"mx.itu.int\"\nunauthenticated = \"drop\"\n"));
  EXPECT_NE(error.find("trust.unauthenticated: \"drop\" is not known"), std::string::npos) << error;
}

TEST_F(ConfigFile, UnknownKeyInNewTablesIsAnError) {
  EXPECT_NE(error_of(valid("", "[trust]\nauthserv_id = \"mx\"\nstrict = true\n"))
                .find("trust.strict: unknown key"),
            std::string::npos);
  EXPECT_NE(error_of(valid("", "[publish]\ndirectory = \"public\"\n"))
                .find("publish.directory: unknown key"),
            std::string::npos);
  EXPECT_NE(error_of(valid("", "[limits]\nmax_header_size = 1\n"))
                .find("limits.max_header_size: unknown key"),
            std::string::npos);
}

TEST_F(ConfigFile, BaseTemplateUrlMustBeAWebUrl) {
  for (const char* bad :
       {"ftp://www.itu.int/template.docx", "www.itu.int/template", "https:///template",
        "https://www.itu.int/a b", "https://www.itu.int/\"onclick"}) {
    const std::string error =
        error_of(valid("", fmt::format("[publish]\nbase_template_url = '{}'\n", bad)));
    EXPECT_NE(error.find("publish.base_template_url: "), std::string::npos) << bad << ": " << error;
  }
  EXPECT_EQ(load(valid("", "[publish]\nbase_template_url = \"http://intranet/t.docx\"\n"))
                .publish.base_template_url,
            "http://intranet/t.docx");
}

TEST_F(ConfigFile, LimitsOutOfRangeNameTheirKeys) {
  EXPECT_NE(error_of(valid("", "[limits]\nparser_memory_bytes = 1048576\n"))
                .find("limits.parser_memory_bytes: must be between"),
            std::string::npos);
  EXPECT_NE(error_of(valid("", "[limits]\nmessage_seconds = 0\n"))
                .find("limits.message_seconds: must be between"),
            std::string::npos);
  EXPECT_NE(error_of(valid("", "[limits]\nmax_header_bytes = 100\n"))
                .find("limits.max_header_bytes: must be between"),
            std::string::npos);
  EXPECT_NE(
      error_of(valid("", "[limits]\nmax_header_bytes = 4096\nmax_header_field_bytes = 8192\n"))
          .find("limits.max_header_field_bytes: must not exceed max_header_bytes"),
      std::string::npos);
}

TEST_F(ConfigFile, NewTableThatIsNotATableIsAnError) {
  // A key at the top level must come before the first table: put it first.
  const std::string error = error_of("trust = \"mx.itu.int\"\n" + valid());
  EXPECT_NE(error.find("trust: must be a section"), std::string::npos) << error;
}

TEST_F(ConfigFile, DescribeSaysRepliesAreUnverifiedWithoutTrust) {
  const std::string without = describe(load(valid()));
  EXPECT_NE(without.find("replies go to unverified addresses"), std::string::npos) << without;
  const std::string with = describe(load(valid("", "[trust]\nauthserv_id = \"mx.itu.int\"\n")));
  EXPECT_EQ(with.find("unverified"), std::string::npos) << with;
  EXPECT_NE(with.find("Authentication-Results of mx.itu.int; replies to others are withheld"),
            std::string::npos)
      << with;
}

TEST_F(ConfigFile, DescribeShowsTheNewKeys) {
  const std::string text = describe(load(valid("review_folder = \"Held\"\n",
                                               "[publish]\ndir = \"/srv/lists\"\n"
                                               "[limits]\nmessage_seconds = 20\n")));
  EXPECT_NE(text.find("held -> Held"), std::string::npos) << text;
  EXPECT_NE(text.find("200 in all per hour"), std::string::npos) << text;
  EXPECT_NE(text.find("document lists in /srv/lists"), std::string::npos) << text;
  EXPECT_NE(text.find("within 20 s"), std::string::npos) << text;
}

// check-config used to accept these; every reply then failed at run time.
TEST_F(ConfigFile, FromMustBeABareAddress) {
  for (const char* bad :
       {"ITU-T FG-QIT4N <tsbfgqit4n@itu.int>", "<tsbfgqit4n@itu.int>", "tsbfgqit4n@itu.int ",
        "tsbfgqit4n@itu.int\r\nBcc: x@y", "tsbfgqit4n@@itu.int", "tsbfgqit4n@"}) {
    const std::string error = error_of(replaced(valid(), "from = \"tsbfgqit4n@itu.int\"",
                                                fmt::format("from = {}", toml_string(bad))));
    EXPECT_NE(error.find("smtp.from: "), std::string::npos) << bad << ": " << error;
    EXPECT_NE(error.find("is not a bare address"), std::string::npos) << bad << ": " << error;
  }
  const std::string too_long = std::string(65, 'a') + "@itu.int";
  EXPECT_NE(error_of(replaced(valid(), "tsbfgqit4n@itu.int", too_long)).find("smtp.from"),
            std::string::npos);
}

// Microsoft 365 refuses an envelope sender that is not the signed-in mailbox (or one it may send
// as): the secretariat's own address, by default, works there and everywhere else.
TEST_F(ConfigFile, EnvelopeFromIsTheSecretariatUnlessSaidOtherwise) {
  EXPECT_EQ(load(valid()).smtp.envelope_from, load(valid()).smtp.from);
  EXPECT_EQ(load(with_smtp("envelope_from = \"bounces@itu.int\"\n")).smtp.envelope_from,
            "bounces@itu.int");
  EXPECT_EQ(load(with_smtp("null_sender = true\n")).smtp.envelope_from, "");
  EXPECT_EQ(load(with_smtp("null_sender = false\n")).smtp.envelope_from, load(valid()).smtp.from);
  const std::string both =
      error_of(with_smtp("null_sender = true\nenvelope_from = \"bounces@itu.int\"\n"));
  EXPECT_NE(both.find("smtp.envelope_from: "), std::string::npos) << both;
  const std::string empty = error_of(with_smtp("envelope_from = \"\"\n"));
  EXPECT_NE(empty.find("null_sender = true"), std::string::npos) << empty;
  for (const char* bad : {"Bounces <bounces@itu.int>", "<>", "bounces", "b o@itu.int"}) {
    const std::string error =
        error_of(with_smtp(fmt::format("envelope_from = {}\n", toml_string(bad))));
    EXPECT_NE(error.find("smtp.envelope_from: "), std::string::npos) << bad << ": " << error;
  }
}

TEST_F(ConfigFile, PipeliningAndTheKeptSession) {
  EXPECT_TRUE(load(valid()).smtp.pipelining);
  EXPECT_EQ(load(valid()).smtp.keep_open_seconds, 60);
  EXPECT_FALSE(load(with_smtp("pipelining = false\n")).smtp.pipelining);
  EXPECT_EQ(load(with_smtp("keep_open_seconds = 0\n")).smtp.keep_open_seconds, 0);
  const std::string error = error_of(with_smtp("keep_open_seconds = -1\n"));
  EXPECT_NE(error.find("smtp.keep_open_seconds"), std::string::npos) << error;
}

TEST_F(ConfigFile, CaFileMustBeARegularFile) {
  fs::create_directories(folder_ / "certs");
  const std::string error = error_of(valid("ca_file = \"certs\"\n"));
  EXPECT_NE(error.find("imap.ca_file: "), std::string::npos) << error;
  EXPECT_NE(error.find("is not a regular file"), std::string::npos) << error;
  const std::string smtp_error = error_of(with_smtp("ca_file = \"certs\"\n"));
  EXPECT_NE(smtp_error.find("smtp.ca_file: "), std::string::npos) << smtp_error;
}

TEST_F(ConfigFile, CaFileThatIsReadableIsAccepted) {
  write("ca.pem", "-----BEGIN CERTIFICATE-----\n");
  EXPECT_EQ(load(valid("ca_file = \"ca.pem\"\n")).imap.endpoint.ca_file,
            (folder_ / "ca.pem").string());
}

TEST_F(ConfigFile, SecretLosesTrailingNewlineAndEmptyIsAnError) {
  EXPECT_EQ(read_secret(folder_ / "imap.password", "imap.password_file"), "secret");
  write("empty.password", "\n");
  EXPECT_THROW(read_secret(folder_ / "empty.password", "smtp.password_file"), ConfigError);
}

}  // namespace
}  // namespace contribd
