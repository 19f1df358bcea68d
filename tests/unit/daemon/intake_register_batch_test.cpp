// The register step on a real register and file store: a batch of spooled messages goes in,
// outcomes, numbers, destinations and queued replies come out, as the intake's pass sees them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "daemon/config.h"
#include "daemon/intake/extract_message.h"
#include "daemon/intake/move_messages.h"
#include "daemon/intake/queue_reply.h"
#include "daemon/intake/register_message.h"
#include "daemon/intake/sweep_counts.h"
#include "daemon/reply/templates.h"
#include "storage/file_store.h"
#include "storage/register.h"
#include "storage/utc_text.h"
#include "tests/unit/daemon/imap_test_tls.h"
#include "tests/unit/storage/docnum.h"

namespace contribd {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using storage::testing::docnum;
using ::testing::HasSubstr;
using ::testing::Optional;

constexpr char kConfig[] = R"([imap]
host = "127.0.0.1"
username = "tsbfgqit4n"
password_file = "secret"

[smtp]
host = "127.0.0.1"
username = "tsbfgqit4n"
password_file = "secret"
from = "tsbfgqit4n@itu.test"

[storage]
database = "register.sqlite"
files_dir = "files"

[[meeting]]
id = "QIT4N-05"
deadline = "2020-07-22T23:59:59+02:00"
closes = "2020-08-07T23:59:59+02:00"
document_prefix = "QIT4N-I-"
)";

UtcTime utc(const char* text) {
  return storage::parse_utc(text).value();
}

// A contribution as a participant's mail client sends it: a note and one attached file.
std::string contribution(const std::string& from, const std::string& message_id,
                         const std::string& file_name, const std::string& file_text,
                         const std::string& extra_headers = "") {
  return "From: " + from + "\r\nTo: tsbfgqit4n@itu.test\r\nSubject: Contribution " + file_name +
         "\r\nMessage-ID: <" + message_id + ">\r\nDate: Mon, 20 Jul 2020 10:00:00 +0200\r\n" +
         extra_headers +
         "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
         "--b\r\nContent-Type: text/plain\r\n\r\nPlease find our contribution attached.\r\n"
         "--b\r\nContent-Type: application/octet-stream\r\n"
         "Content-Disposition: attachment; filename=\"" +
         file_name + "\"\r\n\r\n" + file_text + "\r\n--b--\r\n";
}

std::string note_without_file(const std::string& from, const std::string& message_id) {
  return "From: " + from + "\r\nTo: tsbfgqit4n@itu.test\r\nSubject: A question\r\nMessage-ID: <" +
         message_id + ">\r\n\r\nWhen is the deadline?\r\n";
}

class RegisterBatchTest : public ::testing::Test {
 protected:
  RegisterBatchTest()
      : folder_(fs::path(::testing::TempDir()) /
                ("contribd-register-batch-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name())),
        config_(write_config(folder_)),
        register_(storage::Register::open(config_.storage.database)),
        files_(config_.storage.files_dir),
        templates_(reply::builtin_templates()),
        spool_((fs::create_directories(folder_ / "spool"),
                storage::SpoolFile::create(folder_ / "spool"))),
        context_{config_, register_, files_, templates_, nullptr} {}
  ~RegisterBatchTest() override { fs::remove_all(folder_); }

  static Config write_config(const fs::path& folder) {
    fs::remove_all(folder);
    fs::create_directories(folder);
    std::ofstream(folder / "secret") << "secret\n";
    std::ofstream(folder / "contribd.toml") << kConfig;
    return load_config(folder / "contribd.toml");
  }

  // The message appended to this test's spool file, as a UID of INBOX.
  SpooledIntake spooled(std::uint32_t uid, const std::string& raw, UtcTime received) {
    const storage::SpoolRange body{spool_.size(), raw.size()};
    spool_.append(raw);
    return SpooledIntake{storage::MessageKey{"INBOX", 7, uid}, received, &spool_, body};
  }

  std::vector<std::optional<IntakeResult>> register_all(const std::vector<SpooledIntake>& batch) {
    return register_batch(context_, batch, utc("2020-07-25T12:00:00Z"));
  }

  // Subject lines of the replies waiting to be sent, by recipient, oldest first.
  std::vector<std::string> queued_subjects(const std::string& recipient) {
    std::vector<std::string> subjects;
    for (const storage::OutboxEntry& entry : register_.due_replies(utc("2030-01-01T00:00:00Z"))) {
      if (entry.recipient != recipient) continue;
      const std::size_t start = entry.message.find("Subject: ");
      subjects.push_back(
          entry.message.substr(start + 9, entry.message.find("\r\n", start) - start - 9));
    }
    return subjects;
  }

  // The number the next registration would get.
  storage::DocumentNumber next_number() {
    auto transaction = register_.begin();
    return register_.next_document_number("QIT4N-I-", 1);
  }

  fs::path folder_;
  Config config_;
  storage::Register register_;
  storage::FileStore files_;
  reply::Templates templates_;
  storage::SpoolFile spool_;
  IntakeContext context_;
};

const UtcTime kOnTime = utc("2020-07-20T08:00:00Z");
const UtcTime kLate = utc("2020-07-23T08:00:00Z");

TEST_F(RegisterBatchTest, OnTimeContributionIsNumberedStoredAcknowledgedAndMovedToProcessed) {
  const auto results = register_all({spooled(
      11, contribution("Alice <alice@example.org>", "a1@example.org", "a.docx", "AAA"), kOnTime)});
  ASSERT_EQ(results.size(), 1u);
  ASSERT_TRUE(results[0]);
  EXPECT_EQ(results[0]->outcome, storage::Outcome::registered);
  EXPECT_THAT(results[0]->document_number, Optional(docnum("QIT4N-I-001")));
  EXPECT_EQ(results[0]->destination, Destination::processed);
  EXPECT_TRUE(register_.examined({"INBOX", 7, 11}));
  EXPECT_TRUE(fs::exists(files_.files_dir() / "QIT4N-05" / "QIT4N-I-001" / "a.docx"));
  EXPECT_THAT(queued_subjects("alice@example.org"),
              ::testing::ElementsAre(HasSubstr("Received: Contribution a.docx [QIT4N-I-001]")));
}

TEST_F(RegisterBatchTest, LateContributionIsRegisteredWithALateNotice) {
  const auto results = register_all(
      {spooled(12, contribution("bob@example.org", "b1@example.org", "b.docx", "BBB"), kLate)});
  ASSERT_TRUE(results[0]);
  EXPECT_EQ(results[0]->outcome, storage::Outcome::registered);
  EXPECT_THAT(queued_subjects("bob@example.org"),
              ::testing::ElementsAre(HasSubstr("Late contribution received:")));
}

TEST_F(RegisterBatchTest, SameFilesFromTheSameSenderAgainAreADuplicateOfTheFirstNumber) {
  register_all(
      {spooled(13, contribution("carol@example.org", "c1@example.org", "c.docx", "CCC"), kOnTime)});
  const auto again = register_all(
      {spooled(14, contribution("carol@example.org", "c2@example.org", "c.docx", "CCC"), kOnTime)});
  ASSERT_TRUE(again[0]);
  EXPECT_EQ(again[0]->outcome, storage::Outcome::duplicate);
  EXPECT_THAT(again[0]->document_number, Optional(docnum("QIT4N-I-001")));
  EXPECT_EQ(again[0]->destination, Destination::processed);
  EXPECT_EQ(next_number(), docnum("QIT4N-I-002"));
}

TEST_F(RegisterBatchTest, MessageWithoutAFileIsSkippedWithoutANumber) {
  const auto results =
      register_all({spooled(15, note_without_file("dave@example.org", "d1@example.org"), kOnTime)});
  ASSERT_TRUE(results[0]);
  EXPECT_EQ(results[0]->outcome, storage::Outcome::skipped);
  EXPECT_EQ(results[0]->document_number, std::nullopt);
  EXPECT_TRUE(register_.examined({"INBOX", 7, 15}));
  EXPECT_EQ(next_number(), docnum("QIT4N-I-001"));
}

// SPEC step 4: robot mail with files is held for a person, not registered, and not answered.
TEST_F(RegisterBatchTest, RobotMailWithAFileIsHeldForTheReviewFolder) {
  const auto results =
      register_all({spooled(16,
                            contribution("noreply@example.org", "r1@example.org", "r.docx", "RRR",
                                         "Auto-Submitted: auto-generated\r\n"),
                            kOnTime)});
  ASSERT_TRUE(results[0]);
  EXPECT_EQ(results[0]->outcome, storage::Outcome::held);
  EXPECT_EQ(results[0]->destination, Destination::review);
  EXPECT_EQ(register_.held_messages().size(), 1u);
  EXPECT_TRUE(queued_subjects("noreply@example.org").empty());
}

TEST_F(RegisterBatchTest, NumbersFollowTheOrderOfTheBatch) {
  const auto results = register_all({
      spooled(30, contribution("erin@example.org", "e1@example.org", "e.docx", "E1"), kOnTime),
      spooled(21, contribution("frank@example.org", "f1@example.org", "f.docx", "F1"), kOnTime),
      spooled(25, contribution("grace@example.org", "g1@example.org", "g.docx", "G1"), kOnTime),
  });
  ASSERT_EQ(results.size(), 3u);
  const std::vector<storage::DocumentNumber> expected{docnum("QIT4N-I-001"), docnum("QIT4N-I-002"),
                                                      docnum("QIT4N-I-003")};
  for (std::size_t i = 0; i < results.size(); ++i) {
    ASSERT_TRUE(results[i]);
    EXPECT_THAT(results[i]->document_number, Optional(expected[i]));
  }
}

// The second message's file cannot be stored (a folder stands where it would go): the batch is
// rolled back, each message is tried alone, and only that one is left for the next pass.
TEST_F(RegisterBatchTest, OneMessageThatCannotBeStoredCostsOnlyItself) {
  fs::create_directories(files_.files_dir() / "QIT4N-05" / "QIT4N-I-002" / "blocked.docx" / "x");
  const auto results = register_all({
      spooled(41, contribution("heidi@example.org", "h1@example.org", "h.docx", "H1"), kOnTime),
      spooled(42, contribution("ivan@example.org", "i1@example.org", "blocked.docx", "I1"),
              kOnTime),
      spooled(43, contribution("judy@example.org", "j1@example.org", "j.docx", "J1"), kOnTime),
  });
  ASSERT_EQ(results.size(), 3u);
  ASSERT_TRUE(results[0]);
  EXPECT_THAT(results[0]->document_number, Optional(docnum("QIT4N-I-001")));
  EXPECT_FALSE(results[1]);
  EXPECT_FALSE(register_.examined({"INBOX", 7, 42}));
  ASSERT_TRUE(results[2]);
  EXPECT_THAT(results[2]->document_number, Optional(docnum("QIT4N-I-002")));
  EXPECT_TRUE(queued_subjects("ivan@example.org").empty());
  EXPECT_EQ(queued_subjects("judy@example.org").size(), 1u);
}

// SPEC step 7: a message that brought the daemon down three times is held for a person; the
// extract step leaves it alone (it reads nothing from the register, whose count came with the
// message), and the register step holds it.
TEST_F(RegisterBatchTest, AMessageThatFailedThreeTimesIsHeldWithoutBeingTakenApart) {
  SpooledIntake crashing =
      spooled(51, contribution("kim@example.org", "k1@example.org", "k.docx", "K1"), kOnTime);
  crashing.failures = kFailuresBeforeHold;
  const std::vector<SpooledIntake> batch{
      crashing,
      spooled(52, contribution("lee@example.org", "l1@example.org", "l.docx", "L1"), kOnTime)};

  TakenApart taken = take_apart_batch(context_, batch);
  EXPECT_THAT(taken.positions, ::testing::ElementsAre(1u)) << "only the second was taken apart";
  EXPECT_TRUE(taken.errors.empty());
  const auto results =
      register_taken_apart(context_, batch, std::move(taken), utc("2020-07-25T12:00:00Z"));

  ASSERT_TRUE(results[0]);
  EXPECT_EQ(results[0]->outcome, storage::Outcome::held);
  EXPECT_EQ(results[0]->destination, Destination::review);
  EXPECT_THAT(results[0]->reason, HasSubstr("failed 3 times"));
  EXPECT_TRUE(queued_subjects("kim@example.org").empty());
  ASSERT_TRUE(results[1]);
  EXPECT_THAT(results[1]->document_number, Optional(docnum("QIT4N-I-001")));
}

// The intake takes the next batch apart on one thread while it registers the one before on
// another: numbers and replies come out as if the two ran in turn.
TEST_F(RegisterBatchTest, TheNextBatchIsTakenApartWhileTheOneBeforeRegisters) {
  const std::vector<SpooledIntake> first{
      spooled(61, contribution("mia@example.org", "m1@example.org", "m.docx", "M1"), kOnTime),
      spooled(62, contribution("ned@example.org", "n1@example.org", "n.docx", "N1"), kOnTime)};
  const std::vector<SpooledIntake> second{
      spooled(63, contribution("oli@example.org", "o1@example.org", "o.docx", "O1"), kLate),
      spooled(64, contribution("mia@example.org", "m2@example.org", "m.docx", "M1"), kOnTime)};
  const UtcTime now = utc("2020-07-25T12:00:00Z");

  TakenApart first_taken = take_apart_batch(context_, first);
  std::optional<TakenApart> second_taken;
  std::thread extract_thread([&] { second_taken = take_apart_batch(context_, second); });
  const auto first_results = register_taken_apart(context_, first, std::move(first_taken), now);
  extract_thread.join();
  ASSERT_TRUE(second_taken);
  const auto second_results = register_taken_apart(context_, second, std::move(*second_taken), now);

  ASSERT_TRUE(first_results[0] && first_results[1] && second_results[0] && second_results[1]);
  EXPECT_THAT(first_results[0]->document_number, Optional(docnum("QIT4N-I-001")));
  EXPECT_THAT(first_results[1]->document_number, Optional(docnum("QIT4N-I-002")));
  EXPECT_THAT(second_results[0]->document_number, Optional(docnum("QIT4N-I-003")));
  EXPECT_EQ(second_results[1]->outcome, storage::Outcome::duplicate) << "M1 came in the first";
  EXPECT_THAT(second_results[1]->document_number, Optional(docnum("QIT4N-I-001")));
  EXPECT_THAT(queued_subjects("oli@example.org"),
              ::testing::ElementsAre(HasSubstr("Late contribution received:")));
  EXPECT_TRUE(fs::exists(files_.files_dir() / "QIT4N-05" / "QIT4N-I-003" / "o.docx"));
  const fs::path spool_folder = folder_ / "spool";
  for (const auto& entry : fs::directory_iterator(spool_folder)) {
    EXPECT_THAT(entry.path().filename().string(), ::testing::Not(::testing::StartsWith("part-")))
        << "a part file was left behind";
  }
}

// The decide step on a real register: what it counts there and what it decides.
mime::ParsedMessage person_writing(const std::string& from, const std::string& reply_to = "") {
  mime::ParsedMessage message;
  message.from_address = from;
  message.reply_to_address = reply_to;
  message.headers.push_back({"From", from});
  message.message_id = "<d1@example.org>";
  return message;
}

TEST_F(RegisterBatchTest, DecideTheReplySendsToReplyToOfAPersonWithinTheLimits) {
  policy::ReplyInput input =
      reply_input(context_, person_writing("alice@example.org", "office@example.org"));
  const policy::ReplyDecision decision =
      decide_the_reply(context_, input, std::nullopt, std::nullopt, utc("2020-07-20T08:00:00Z"));
  EXPECT_TRUE(decision.send);
  EXPECT_EQ(decision.recipient, "office@example.org");
  EXPECT_EQ(decision.rule, policy::ReplyRule::none);
}

TEST_F(RegisterBatchTest, DecideTheReplyCountsTheLastHoursRepliesToTheSameAddressInAnyCase) {
  const UtcTime now = utc("2020-07-20T08:00:00Z");
  {
    auto transaction = register_.begin();
    register_.queue_reply(std::nullopt, docnum("QIT4N-I-001"), storage::ReplyKind::ack,
                          storage::ReplyState::queued, "", "Alice+qit4n@Example.org", "",
                          "Subject: x\r\n\r\nx\r\n", now - std::chrono::minutes(10));
    transaction.commit();
  }
  policy::ReplyInput input = reply_input(context_, person_writing("alice@example.org"));
  input.max_per_hour = 1;
  const policy::ReplyDecision decision =
      decide_the_reply(context_, input, std::nullopt, std::nullopt, now);
  EXPECT_FALSE(decision.send);
  EXPECT_EQ(decision.rule, policy::ReplyRule::rate_limit);
  EXPECT_EQ(input.replies_last_hour, 1);
  // An hour later the reply of 10 minutes before no longer counts.
  policy::ReplyInput later = reply_input(context_, person_writing("alice@example.org"));
  later.max_per_hour = 1;
  EXPECT_TRUE(
      decide_the_reply(context_, later, std::nullopt, std::nullopt, now + std::chrono::minutes(55))
          .send);
}

// A robot's message a person accepted: registered, its reply composed but withheld (rule
// robot), so that `contribd release` can still send it.
TEST_F(RegisterBatchTest, DecideTheReplyWithholdsAnAcceptedRobotsReply) {
  policy::ReplyInput input = reply_input(context_, person_writing("noreply@example.org"));
  const policy::HoldDecision robot{policy::ReplyRule::auto_submitted,
                                   "Auto-Submitted: auto-generated"};
  const policy::ReplyDecision decision =
      decide_the_reply(context_, input, std::nullopt, robot, utc("2020-07-20T08:00:00Z"));
  EXPECT_FALSE(decision.send);
  EXPECT_EQ(decision.rule, policy::ReplyRule::robot);
  EXPECT_EQ(decision.recipient, "noreply@example.org");
  EXPECT_THAT(decision.reason, HasSubstr("Auto-Submitted: auto-generated"));
}

TEST(CountOutcome, EachOutcomeHasItsOwnFigure) {
  SweepCounts counts;
  for (storage::Outcome outcome :
       {storage::Outcome::registered, storage::Outcome::registered, storage::Outcome::duplicate,
        storage::Outcome::skipped, storage::Outcome::rejected, storage::Outcome::held}) {
    count_outcome(counts, outcome);
  }
  EXPECT_EQ(counts.registered, 2);
  EXPECT_EQ(counts.duplicates, 1);
  EXPECT_EQ(counts.skipped, 1);
  EXPECT_EQ(counts.rejected, 1);
  EXPECT_EQ(counts.held, 1);
  EXPECT_EQ(counts.failed, 0);
}

TEST(DestinationFolder, IsTheConfiguredFolderOfEachDestination) {
  ImapConfig imap;
  imap.processed_folder = "Done";
  imap.review_folder = "For a person";
  EXPECT_THAT(destination_folder(imap, Destination::processed), Optional(std::string("Done")));
  EXPECT_THAT(destination_folder(imap, Destination::review), Optional(std::string("For a person")));
  EXPECT_EQ(destination_folder(imap, Destination::stay), std::nullopt);
}

// A run that committed a batch and ended before moving it: the next pass moves what is still
// to be moved, one UID MOVE per destination, and records it, over a scripted IMAP server.
class CompleteMovesTest : public RegisterBatchTest {
 protected:
  CompleteMovesTest() : server_tls_(ca_.server_context("IP:127.0.0.1")), peer_(io_, *server_tls_) {
    endpoint_.host = "127.0.0.1";
    endpoint_.port = peer_.port();
    endpoint_.security = net::Security::tls;
    endpoint_.ca_file = ca_.pem_path();
    endpoint_.timeout = std::chrono::seconds(5);
  }

  asio::awaitable<void> serve_login() {
    co_await peer_.accept_tls();
    co_await peer_.send("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready\r\n");
    co_await peer_.expect_line("A1 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==");
    co_await peer_.send("A1 OK [CAPABILITY IMAP4rev1 IDLE MOVE UIDPLUS] Logged in\r\n");
  }

  // complete_moves() for INBOX under `uidvalidity`, against `server`.
  void complete_with(std::function<asio::awaitable<void>()> server, std::uint32_t uidvalidity) {
    testing_tls::run_pair(io_, std::move(server), [&]() -> asio::awaitable<void> {
      auto session =
          co_await imap::Session::connect(io_.get_executor(), endpoint_, {"alice", "secret"});
      co_await complete_moves(*session, context_, "INBOX", uidvalidity);
    });
  }

  // Registers three messages and a robot's, as a pass would before its moves.
  void commit_a_batch() {
    const auto results = register_all({
        spooled(3, contribution("kim@example.org", "k1@example.org", "k.docx", "K1"), kOnTime),
        spooled(9, contribution("lee@example.org", "l1@example.org", "l.docx", "L1"), kOnTime),
        spooled(5,
                contribution("robot@example.org", "r5@example.org", "r.docx", "R5",
                             "Auto-Submitted: auto-generated\r\n"),
                kOnTime),
        spooled(4, contribution("max@example.org", "m1@example.org", "m.docx", "M1"), kOnTime),
    });
    for (const auto& result : results) ASSERT_TRUE(result);
  }

  asio::io_context io_;
  testing_tls::TestCa ca_;
  std::unique_ptr<asio::ssl::context> server_tls_;
  testing_tls::ScriptedPeer peer_;
  net::Endpoint endpoint_;
};

TEST_F(CompleteMovesTest, CommittedMessagesAreMovedOncePerDestinationAndRecorded) {
  commit_a_batch();
  ASSERT_EQ(register_.pending_moves("INBOX").size(), 4u);
  complete_with(
      [&]() -> asio::awaitable<void> {
        co_await serve_login();
        co_await peer_.expect_line("A2 UID MOVE 3:4,9 \"Registered\"");
        co_await peer_.send("* 1 EXPUNGE\r\n* 1 EXPUNGE\r\n* 1 EXPUNGE\r\nA2 OK Moved\r\n");
        co_await peer_.expect_line("A3 UID MOVE 5 \"Review\"");
        co_await peer_.send("* 1 EXPUNGE\r\nA3 OK Moved\r\n");
        co_await peer_.read_line();
      },
      7);
  EXPECT_TRUE(register_.pending_moves("INBOX").empty());
}

// The folder was re-created (another UIDVALIDITY): the UIDs recorded name messages that are no
// longer there, and nothing is moved.
TEST_F(CompleteMovesTest, MovesUnderAnotherUidvalidityAreLeftAlone) {
  commit_a_batch();
  complete_with(
      [&]() -> asio::awaitable<void> {
        co_await serve_login();
        co_await peer_.read_line();
      },
      8);
  EXPECT_EQ(register_.pending_moves("INBOX").size(), 4u);
}

// A refused MOVE records nothing: the next pass tries again.
TEST_F(CompleteMovesTest, RefusedMoveLeavesTheMessagesToBeMoved) {
  commit_a_batch();
  std::string error;
  testing_tls::run_pair(
      io_,
      [&]() -> asio::awaitable<void> {
        co_await serve_login();
        co_await peer_.expect_line("A2 UID MOVE 3:4,9 \"Registered\"");
        co_await peer_.send("A2 NO [TRYCREATE] No such mailbox\r\n");
        co_await peer_.read_line();
      },
      [&]() -> asio::awaitable<void> {
        auto session =
            co_await imap::Session::connect(io_.get_executor(), endpoint_, {"alice", "secret"});
        try {
          co_await complete_moves(*session, context_, "INBOX", 7);
        } catch (const imap::ImapError& failure) {
          error = failure.what();
        }
      });
  EXPECT_THAT(error, HasSubstr("No such mailbox"));
  EXPECT_EQ(register_.pending_moves("INBOX").size(), 4u);
}

}  // namespace
}  // namespace contribd
