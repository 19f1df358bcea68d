// extract_message_from_file() finds what extract_message() finds, byte for byte, while the
// files go to a sink: every message of the corpus and of the fuzz seeds, read in pieces.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "parsers/mime_extract.h"
#include "parsers/sha256.h"

namespace contribd::mime {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

class TempFolder {
 public:
  TempFolder()
      : path_(fs::temp_directory_path() / ("contribd-extract-file-" + std::to_string(::getpid()))) {
    fs::create_directories(path_);
  }
  ~TempFolder() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Files in a folder, named in order; discarded ones are removed.
class FolderSink : public FileSink {
 public:
  explicit FolderSink(fs::path folder) : folder_(std::move(folder)) {}
  ~FolderSink() override {
    for (int fd : fds_) ::close(fd);
  }
  Target create() override {
    const std::string name = (folder_ / ("part-" + std::to_string(++created_))).string();
    const int fd = ::open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot create " + name);
    fds_.push_back(fd);
    return {fd, name};
  }
  void discard(const Target& target) override {
    ++discarded_;
    fs::remove(target.name);
  }
  int created() const { return created_; }
  int discarded() const { return discarded_; }

 private:
  fs::path folder_;
  std::vector<int> fds_;
  int created_ = 0;
  int discarded_ = 0;
};

ParsedMessage extract_through_file(const std::string& raw, const fs::path& folder,
                                   const ExtractLimits& limits, FolderSink& sink) {
  // Between other bytes, as in a spool file holding a whole batch: only its range is read.
  const std::string before = "--B\r\nFrom: someone.else@member.test\r\n\r\nan earlier message\r\n";
  const std::string after = "\r\n--B--\r\nX-Later: message\r\n\r\ntrailing bytes\r\n";
  const fs::path message_path = folder / "spool";
  std::ofstream(message_path, std::ios::binary) << before << raw << after;
  const int fd = ::open(message_path.c_str(), O_RDONLY | O_CLOEXEC);
  EXPECT_GE(fd, 0);
  ParsedMessage parsed = extract_message_from_file(fd, before.size(), raw.size(), limits, sink);
  ::close(fd);
  return parsed;
}

// The whole comparison; `label` names the message in failures.
void expect_same_extraction(const std::string& raw, const std::string& label) {
  TempFolder folder;
  FolderSink sink(folder.path());
  ExtractLimits streaming;
  streaming.whole_in_memory_bytes = 0;  // every message goes the streaming way
  const ParsedMessage expected = extract_message(raw);
  const ParsedMessage actual = extract_through_file(raw, folder.path(), streaming, sink);
  SCOPED_TRACE(label);
  EXPECT_EQ(actual.subject, expected.subject);
  EXPECT_EQ(actual.message_id, expected.message_id);
  EXPECT_EQ(actual.from_address, expected.from_address);
  EXPECT_EQ(actual.top_content_type, expected.top_content_type);
  EXPECT_EQ(actual.defects, expected.defects);
  EXPECT_EQ(actual.over_limit, expected.over_limit);
  EXPECT_EQ(actual.raw_sha256_hex, sha256_hex(raw));
  EXPECT_EQ(expected.raw_sha256_hex, sha256_hex(raw));
  ASSERT_EQ(actual.files.size(), expected.files.size());
  for (std::size_t i = 0; i < expected.files.size(); ++i) {
    const ExtractedFile& want = expected.files[i];
    const ExtractedFile& got = actual.files[i];
    EXPECT_EQ(got.filename, want.filename);
    EXPECT_EQ(got.content_type, want.content_type);
    EXPECT_EQ(got.sha256_hex, want.sha256_hex);
    EXPECT_EQ(got.size, want.data.size());
    const std::string bytes = got.spooled_path.empty() ? got.data : read_file(got.spooled_path);
    EXPECT_EQ(bytes, want.data) << got.filename;
  }
}

std::vector<fs::path> messages_under(const fs::path& folder) {
  std::vector<fs::path> paths;
  if (!fs::exists(folder)) return paths;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (entry.is_regular_file() && entry.path().filename() != "README.md") {
      paths.push_back(entry.path());
    }
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

TEST(MimeExtractFile, CorpusMessagesGiveTheSameFilesAndDefects) {
  const fs::path corpus(CONTRIBD_CORPUS_DIR);
  const auto paths = messages_under(corpus);
  if (paths.empty()) GTEST_SKIP() << "corpus absent: " << corpus;
  for (const fs::path& path : paths) expect_same_extraction(read_file(path), path.string());
}

TEST(MimeExtractFile, FuzzSeedsGiveTheSameFilesAndDefects) {
  const fs::path seeds = fs::path(CONTRIBD_TEST_DATA_DIR).parent_path().parent_path() / "fuzz" /
                         "seeds" / "mime" / "messages";
  const auto paths = messages_under(seeds);
  ASSERT_FALSE(paths.empty()) << seeds;
  for (const fs::path& path : paths) expect_same_extraction(read_file(path), path.string());
}

std::string large_message(std::size_t attachment_bytes, bool padded) {
  std::string attachment;
  for (std::size_t i = 0; i < attachment_bytes; ++i) {
    attachment.push_back(static_cast<char>((i * 7919) % 251));
  }
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string encoded;
  std::size_t column = 0;
  for (std::size_t i = 0; i < attachment.size(); i += 3) {
    const auto byte = [&](std::size_t at) {
      return at < attachment.size() ? static_cast<unsigned char>(attachment[at]) : 0u;
    };
    const unsigned quantum = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    const std::size_t chars = std::min<std::size_t>(4, attachment.size() - i + 1);
    for (std::size_t c = 0; c < 4; ++c) {
      if (c < chars) {
        encoded.push_back(kAlphabet[(quantum >> (18 - 6 * c)) & 63]);
      } else if (padded) {
        encoded.push_back('=');
      }
    }
    if ((column += 4) >= 76) {
      encoded += "\r\n";
      column = 0;
    }
  }
  return "From: alice@member.test\r\nSubject: big\r\nMIME-Version: 1.0\r\n"
         "Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\n"
         "--B\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"
         "--B\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
         "Content-Disposition: attachment; filename=\"big.bin\"\r\n\r\n" +
         encoded + "\r\n--B--\r\n";
}

TEST(MimeExtractFile, LargeAttachmentGoesToTheSinkNotToMemory) {
  const std::string raw = large_message(3'000'001, true);
  TempFolder folder;
  FolderSink sink(folder.path());
  const ParsedMessage parsed = extract_through_file(raw, folder.path(), {}, sink);
  ASSERT_EQ(parsed.files.size(), 1u);
  const ExtractedFile& file = parsed.files[0];
  EXPECT_EQ(file.filename, "big.bin");
  EXPECT_TRUE(file.data.empty());
  ASSERT_FALSE(file.spooled_path.empty());
  EXPECT_EQ(file.size, 3'000'001u);
  EXPECT_EQ(fs::file_size(file.spooled_path), 3'000'001u);
  EXPECT_EQ(file.sha256_hex, sha256_hex(read_file(file.spooled_path)));
  EXPECT_EQ(read_file(file.spooled_path), extract_message(raw).files.at(0).data);
}

TEST(MimeExtractFile, LargeUnpaddedBase64LosesNoByte) {
  const std::string raw = large_message(2'000'000, false);  // 2'000'000 % 3 == 2: a short quantum
  TempFolder folder;
  FolderSink sink(folder.path());
  const ParsedMessage parsed = extract_through_file(raw, folder.path(), {}, sink);
  ASSERT_EQ(parsed.files.size(), 1u);
  EXPECT_EQ(parsed.files[0].size, 2'000'000u);
  EXPECT_EQ(parsed.files[0].sha256_hex, extract_message(raw).files.at(0).sha256_hex);
  EXPECT_NE(std::find(parsed.defects.begin(), parsed.defects.end(),
                      "part 2: base64 without final padding"),
            parsed.defects.end());
}

TEST(MimeExtractFile, WholeFileOverloadReadsFromTheStart) {
  const std::string raw = large_message(1'500'000, true);
  TempFolder folder;
  FolderSink sink(folder.path());
  const fs::path path = folder.path() / "message.eml";
  std::ofstream(path, std::ios::binary) << raw;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ::lseek(fd, 0, SEEK_END);  // where a writer would have left it
  const ParsedMessage parsed = extract_message_from_file(fd, {}, sink);
  ::close(fd);
  ASSERT_EQ(parsed.files.size(), 1u);
  EXPECT_EQ(parsed.files[0].sha256_hex, extract_message(raw).files.at(0).sha256_hex);
}

TEST(MimeExtractFile, SmallMessageIsExtractedInMemory) {
  const std::string raw = large_message(1000, true);
  TempFolder folder;
  FolderSink sink(folder.path());
  const ParsedMessage parsed = extract_through_file(raw, folder.path(), {}, sink);
  ASSERT_EQ(parsed.files.size(), 1u);
  EXPECT_TRUE(parsed.files[0].spooled_path.empty());
  EXPECT_EQ(parsed.files[0].data.size(), 1000u);
  EXPECT_EQ(parsed.files[0].size, 1000u);
}

TEST(MimeExtractFile, AMillionPartsAreHeldFromTheFileInPieces) {
  std::string raw =
      "From: alice@member.test\r\nSubject: parts\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\n";
  for (int i = 0; i < 1'000'000; ++i) raw += "--B\r\n\r\n";
  raw += "--B--\r\n";
  TempFolder folder;
  FolderSink sink(folder.path());
  const ParsedMessage parsed = extract_through_file(raw, folder.path(), {}, sink);
  EXPECT_EQ(parsed.over_limit, "limits.max_parts: more than 1000 MIME parts");
  EXPECT_TRUE(parsed.files.empty());
  EXPECT_EQ(sink.created(), 0);
  EXPECT_EQ(parsed.subject, "parts");
  EXPECT_EQ(parsed.top_content_type, "multipart/mixed");
  EXPECT_EQ(parsed.raw_sha256_hex, sha256_hex(raw));
}

TEST(MimeExtractFile, FileBytesOverTheLimitStopTheSpooledFileAndHold) {
  const std::string raw = large_message(3'000'001, true);
  TempFolder folder;
  FolderSink sink(folder.path());
  ExtractLimits limits;
  limits.max_file_bytes = 1'000'000;
  const ParsedMessage parsed = extract_through_file(raw, folder.path(), limits, sink);
  EXPECT_EQ(parsed.over_limit, "limits.max_file_bytes: files larger than 1000000 bytes in total");
  EXPECT_TRUE(parsed.files.empty());
  EXPECT_EQ(sink.discarded(), sink.created());
  for (const auto& entry : fs::directory_iterator(folder.path())) {
    EXPECT_FALSE(entry.path().filename().string().starts_with("part-")) << entry.path();
  }
  limits.max_file_bytes = 3'000'001;
  EXPECT_FALSE(extract_through_file(raw, folder.path(), limits, sink).over_limit);
}

}  // namespace
}  // namespace contribd::mime
