// The extraction jail with the real worker (`contribd extract-worker`, CONTRIBD_BIN) and with
// small shell scripts standing in for a worker that hangs, crashes or exits.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "daemon/intake/extraction_jail.h"
#include "parsers/base64.h"

namespace contribd {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

constexpr std::string_view kFirstText = "Contribution on QKD, draft 1\n";
constexpr std::string_view kFirstSha256 =
    "2523ae9302383fa7b1bbfd540e9f03cd184fad69e6f260c11203801f286da667";
const std::string kSecondBytes("%PDF-1.4 annex\x00\x01\x02\xff", 18);
constexpr std::string_view kSecondSha256 =
    "0df8544c89ef9cb5c9b37f08575dfb86197d1e3ed5ea9eac50c85a8d6fcffcbb";

// A participant's message with a text body and two attachments.
std::string two_attachments() {
  return "From: Alice <alice@member.test>\r\n"
         "To: tsbfgqit4n@itu.test\r\n"
         "Subject: Contribution on QKD\r\n"
         "Message-ID: <c1@member.test>\r\n"
         "MIME-Version: 1.0\r\n"
         "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
         "\r\n"
         "--b1\r\n"
         "Content-Type: text/plain; charset=utf-8\r\n"
         "\r\n"
         "Please find our contribution attached.\r\n"
         "--b1\r\n"
         "Content-Type: text/plain; name=\"draft.txt\"\r\n"
         "Content-Disposition: attachment; filename=\"draft.txt\"\r\n"
         "Content-Transfer-Encoding: base64\r\n"
         "\r\n"
         "Q29udHJpYnV0aW9uIG9uIFFLRCwgZHJhZnQgMQo=\r\n"
         "--b1\r\n"
         "Content-Type: application/pdf\r\n"
         "Content-Disposition: attachment; filename=\"annex.pdf\"\r\n"
         "Content-Transfer-Encoding: base64\r\n"
         "\r\n"
         "JVBERi0xLjQgYW5uZXgAAQL/\r\n"
         "--b1--\r\n";
}

// One attachment of `decoded_bytes` 'A's (base64 "QUFB" per three bytes), 57 bytes a line.
std::string large_attachment(std::size_t decoded_bytes) {
  std::string message =
      "From: Alice <alice@member.test>\r\n"
      "Subject: Large annex\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
      "\r\n"
      "--b1\r\n"
      "Content-Type: application/octet-stream\r\n"
      "Content-Disposition: attachment; filename=\"large.bin\"\r\n"
      "Content-Transfer-Encoding: base64\r\n"
      "\r\n";
  std::string line;
  for (int i = 0; i < 19; ++i) line += "QUFB";
  line += "\r\n";
  message.reserve(message.size() + decoded_bytes / 57 * line.size() + 64);
  for (std::size_t done = 0; done < decoded_bytes; done += 57) message += line;
  message += "--b1--\r\n";
  return message;
}

std::string read_whole(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The group's template with its cover sheet filled in (tests/data/docx, written by LibreOffice).
std::string template_docx() {
  return read_whole(fs::path(CONTRIBD_TEST_DATA_DIR) / "docx" / "lo_template.docx");
}

// A contribution: the template attached as a .docx, base64 in lines of 76.
std::string template_attached(const std::string& docx) {
  std::string message =
      "From: Alice <alice@member.test>\r\n"
      "Subject: Use cases\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
      "\r\n"
      "--b1\r\n"
      "Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document\r\n"
      "Content-Disposition: attachment; filename=\"QIT4N-C-use-cases.docx\"\r\n"
      "Content-Transfer-Encoding: base64\r\n"
      "\r\n";
  const std::string encoded = encode_base64(docx);
  for (std::size_t at = 0; at < encoded.size(); at += 76)
    message += encoded.substr(at, 76) + "\r\n";
  return message + "--b1--\r\n";
}

class ExtractionJailTest : public ::testing::Test {
 protected:
  ExtractionJailTest()
      : folder_(fs::path(::testing::TempDir()) /
                ("contribd-jail-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    fs::remove_all(folder_);
    fs::create_directories(folder_ / "parts");
    spool_fd_ = ::open((folder_ / "spool").c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    EXPECT_GE(spool_fd_, 0);
  }
  ~ExtractionJailTest() override {
    if (spool_fd_ >= 0) ::close(spool_fd_);
    fs::remove_all(folder_);
  }

  struct Spooled {
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
  };

  // Appends `message` to the spool behind some bytes of another message, so that it never
  // starts at offset 0 and never ends at the end of the file.
  Spooled spool(const std::string& message) {
    const std::string before = "X-Other-Message: before\r\n\r\nnot this one\r\n";
    const std::string after = "From: someone-else@member.test\r\n\r\nnot this one either\r\n";
    const off_t start = ::lseek(spool_fd_, 0, SEEK_END);
    const std::string bytes = before + message + after;
    EXPECT_EQ(::pwrite(spool_fd_, bytes.data(), bytes.size(), start),
              static_cast<ssize_t>(bytes.size()));
    return {static_cast<std::uint64_t>(start) + before.size(), message.size()};
  }

  mime::ParsedMessage extract(ExtractionJail& jail, const Spooled& message, PartSink& sink,
                              const mime::ExtractLimits& limits = {}) {
    return jail.extract(spool_fd_, message.offset, message.length, limits, sink);
  }

  // The real worker, with a budget that only guards against a hang.
  static JailLimits real_worker() {
    JailLimits limits;
    limits.worker = CONTRIBD_BIN;
    limits.budget = 60s;
    return limits;
  }

  // A stand-in worker: a shell script. It finds the socket on descriptor 3.
  fs::path script(const std::string& name, const std::string& body) {
    const fs::path path = folder_ / name;
    std::ofstream(path) << "#!/bin/sh\n" << body;
    fs::permissions(path, fs::perms::owner_all);
    return path;
  }

  std::vector<fs::path> part_files() const {
    std::vector<fs::path> found;
    for (const auto& entry : fs::directory_iterator(folder_ / "parts")) found.push_back(entry);
    return found;
  }

  fs::path parts() const { return folder_ / "parts"; }

  fs::path folder_;
  int spool_fd_ = -1;
};

TEST_F(ExtractionJailTest, TwoAttachmentsComeBackAsPartFilesOwnedByTheSink) {
  ExtractionJail jail(real_worker());
  const Spooled message = spool(two_attachments());
  {
    PartSink sink(parts());
    const mime::ParsedMessage parsed = extract(jail, message, sink);
    EXPECT_EQ(parsed.subject, "Contribution on QKD");
    EXPECT_EQ(parsed.from_address, "alice@member.test");
    EXPECT_EQ(parsed.message_id, "<c1@member.test>");
    EXPECT_EQ(parsed.top_content_type, "multipart/mixed");
    EXPECT_EQ(parsed.over_limit, std::nullopt);
    ASSERT_EQ(parsed.files.size(), 2u);

    const mime::ExtractedFile& first = parsed.files[0];
    EXPECT_EQ(first.filename, "draft.txt");
    EXPECT_EQ(first.size, kFirstText.size());
    EXPECT_EQ(first.sha256_hex, kFirstSha256);
    EXPECT_TRUE(first.data.empty());
    EXPECT_EQ(fs::path(first.spooled_path).parent_path(), parts());
    EXPECT_EQ(read_whole(first.spooled_path), kFirstText);

    const mime::ExtractedFile& second = parsed.files[1];
    EXPECT_EQ(second.filename, "annex.pdf");
    EXPECT_EQ(second.content_type, "application/pdf");
    EXPECT_EQ(second.size, kSecondBytes.size());
    EXPECT_EQ(second.sha256_hex, kSecondSha256);
    EXPECT_EQ(read_whole(second.spooled_path), kSecondBytes);
    EXPECT_EQ(part_files().size(), 2u);

    // The file store takes the first one: it stays when the sink goes.
    fs::rename(first.spooled_path, folder_ / "stored.txt");
  }
  EXPECT_TRUE(part_files().empty()) << "the sink removes the part files it was not relieved of";
  EXPECT_EQ(read_whole(folder_ / "stored.txt"), kFirstText);
}

TEST_F(ExtractionJailTest, StreamedMessageComesBackTheSameAndTheWorkerServesTheNextOne) {
  ExtractionJail jail(real_worker());
  mime::ExtractLimits streamed;
  streamed.whole_in_memory_bytes = 0;  // GMime reads from the spool, files written as they go
  for (int round = 0; round < 2; ++round) {
    PartSink sink(parts());
    const mime::ParsedMessage parsed = extract(jail, spool(two_attachments()), sink, streamed);
    ASSERT_EQ(parsed.files.size(), 2u) << "round " << round;
    EXPECT_EQ(parsed.files[0].sha256_hex, kFirstSha256);
    EXPECT_EQ(read_whole(parsed.files[1].spooled_path), kSecondBytes);
  }
  EXPECT_TRUE(part_files().empty());
}

// The worker reads a .docx's cover sheet whether the file was decoded in memory (a small
// message, read before it goes to its part file) or streamed to its part file (a large one).
TEST_F(ExtractionJailTest, CoverSheetIsReadFromFilesDecodedInMemoryAndFromStreamedOnes) {
  ExtractionJail jail(real_worker());
  const std::string docx = template_docx();
  ASSERT_FALSE(docx.empty());
  mime::ExtractLimits streamed;
  streamed.whole_in_memory_bytes = 0;
  for (const mime::ExtractLimits& limits : {mime::ExtractLimits{}, streamed}) {
    const bool in_memory = limits.whole_in_memory_bytes > 0;
    PartSink sink(parts());
    const mime::ParsedMessage parsed = extract(jail, spool(template_attached(docx)), sink, limits);
    ASSERT_EQ(parsed.files.size(), 1u) << "in memory: " << in_memory;
    const mime::ExtractedFile& file = parsed.files[0];
    EXPECT_EQ(read_whole(file.spooled_path), docx) << "in memory: " << in_memory;
    ASSERT_TRUE(file.docx.has_value()) << "in memory: " << in_memory;
    EXPECT_EQ(file.docx->verdict, docx::DocxVerdict::read) << file.docx->problem;
    EXPECT_EQ(file.docx->cover.core_title, "QIT4N use cases (core properties)");
    EXPECT_TRUE(file.docx->cover.cover_table) << "in memory: " << in_memory;
  }
  EXPECT_TRUE(part_files().empty());
}

TEST_F(ExtractionJailTest, MessageOverALimitComesBackOverLimitWithoutFiles) {
  ExtractionJail jail(real_worker());
  mime::ExtractLimits limits;
  limits.max_parts = 2;  // the message has three leaves
  PartSink sink(parts());
  const mime::ParsedMessage parsed = extract(jail, spool(two_attachments()), sink, limits);
  ASSERT_TRUE(parsed.over_limit);
  EXPECT_THAT(*parsed.over_limit, HasSubstr("max_parts"));
  EXPECT_TRUE(parsed.files.empty());
  EXPECT_EQ(parsed.subject, "Contribution on QKD");
  EXPECT_TRUE(part_files().empty());
}

TEST_F(ExtractionJailTest, WorkerThatHangsIsStoppedAtTheBudget) {
  JailLimits limits;
  limits.worker = script("hang.sh", "exec sleep 600\n");
  limits.budget = 1s;
  ExtractionJail jail(limits);
  PartSink sink(parts());
  try {
    extract(jail, spool(two_attachments()), sink);
    FAIL() << "a hanging worker must not give an answer";
  } catch (const ParserContained& contained) {
    EXPECT_THAT(contained.what(), HasSubstr("longer than 1 s"));
  }
  EXPECT_TRUE(part_files().empty());
}

TEST_F(ExtractionJailTest, WorkerThatCrashesIsContainedAndTheNextMessageGetsAFreshOne) {
  // The first worker reads the request, then dies of SIGSEGV (without a core file); every later
  // one is the real worker.
  JailLimits limits = real_worker();
  limits.worker = script("crash-once.sh", R"(if [ ! -e "$0.crashed" ]; then
  touch "$0.crashed"
  head -c 1 <&3 >/dev/null
  ulimit -c 0
  kill -SEGV $$
fi
exec ")" CONTRIBD_BIN R"(" "$@"
)");
  const fs::path crashed = folder_ / "crash-once.sh.crashed";
  ExtractionJail jail(limits);
  {
    PartSink sink(parts());
    try {
      extract(jail, spool(two_attachments()), sink);
      FAIL() << "a worker that died must not give an answer";
    } catch (const ParserContained& contained) {
      EXPECT_THAT(contained.what(), HasSubstr("Segmentation fault"));
    }
  }
  ASSERT_TRUE(fs::exists(crashed));
  PartSink sink(parts());
  const mime::ParsedMessage parsed = extract(jail, spool(two_attachments()), sink);
  ASSERT_EQ(parsed.files.size(), 2u);
  EXPECT_EQ(parsed.files[1].sha256_hex, kSecondSha256);
}

TEST_F(ExtractionJailTest, WorkerThatExitsIsContainedWithItsStatus) {
  JailLimits limits;
  limits.worker = script("exit.sh", "head -c 1 <&3 >/dev/null\nexit 3\n");
  ExtractionJail jail(limits);
  PartSink sink(parts());
  for (int round = 0; round < 2; ++round) {
    try {
      extract(jail, spool(two_attachments()), sink);
      FAIL() << "a worker that exited must not give an answer";
    } catch (const ParserContained& contained) {
      EXPECT_THAT(contained.what(), HasSubstr("exited with status 3")) << "round " << round;
    }
  }
}

TEST_F(ExtractionJailTest, MessageThatNeedsMoreThanTheMemoryLimitIsContained) {
  if (!memory_limit_applies())
    GTEST_SKIP() << "AddressSanitizer builds run the worker without RLIMIT_AS";
  JailLimits limits = real_worker();
  limits.memory_bytes = 256ull << 20;
  ExtractionJail jail(limits);
  mime::ExtractLimits whole;
  whole.whole_in_memory_bytes = 1ull << 30;  // read whole, then decoded: well over 256 MiB
  whole.max_file_bytes = 1ull << 30;
  {
    // Within the limit the same worker does its work.
    PartSink sink(parts());
    const mime::ParsedMessage parsed = extract(jail, spool(large_attachment(1 << 20)), sink, whole);
    ASSERT_EQ(parsed.files.size(), 1u);
    EXPECT_EQ(parsed.files[0].size, (1u << 20) / 57 * 57 + 57);
  }
  PartSink sink(parts());
  try {
    extract(jail, spool(large_attachment(200u << 20)), sink, whole);
    FAIL() << "a message over the worker's memory must not give an answer";
  } catch (const ParserContained& contained) {
    EXPECT_THAT(contained.what(), HasSubstr("256 MiB")) << contained.what();
  }
  EXPECT_TRUE(part_files().empty());
}

TEST_F(ExtractionJailTest, AbortFromAnotherThreadEndsTheMessageInHand) {
  JailLimits limits;
  // It reads a byte of the request first: the jail has then started it and sent the message.
  limits.worker = script("wait.sh", R"(head -c 1 <&3 >/dev/null
touch "$0.started"
exec sleep 600
)");
  const fs::path started = folder_ / "wait.sh.started";
  limits.budget = 60s;
  ExtractionJail jail(limits);
  const Spooled message = spool(two_attachments());
  auto extraction = std::async(std::launch::async, [&] {
    PartSink sink(parts());
    extract(jail, message, sink);
  });
  for (int wait = 0; wait < 2000 && !fs::exists(started); ++wait) std::this_thread::sleep_for(10ms);
  ASSERT_TRUE(fs::exists(started));
  jail.abort();
  // Only a guard against a hang: abort() ends the extraction at once, the budget is 60 s.
  ASSERT_EQ(extraction.wait_for(30s), std::future_status::ready);
  EXPECT_THROW(extraction.get(), ExtractionAborted);
  // Stopped stays stopped.
  PartSink sink(parts());
  EXPECT_THROW(extract(jail, message, sink), ExtractionAborted);
}

}  // namespace
}  // namespace contribd
