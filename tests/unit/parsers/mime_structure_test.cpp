#include "parsers/mime_structure.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace contribd::mime {
namespace {

StructureScan scan_in_pieces(std::string_view raw, std::size_t piece,
                             const StructureLimits& limits = {}) {
  MimeStructureScanner scanner(limits);
  for (std::size_t at = 0; at < raw.size(); at += piece) scanner.feed(raw.substr(at, piece));
  scanner.finish();
  return {scanner.over_limit(), scanner.parts(), scanner.deepest(), scanner.header_blocks()};
}

// The same result whole, byte by byte and in pieces of a few odd sizes.
StructureScan scan(std::string_view raw, const StructureLimits& limits = {}) {
  const StructureScan whole = scan_mime_structure(raw, limits);
  for (std::size_t piece : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7}}) {
    const StructureScan pieces = scan_in_pieces(raw, piece, limits);
    EXPECT_EQ(pieces.over_limit, whole.over_limit) << "pieces of " << piece;
    EXPECT_EQ(pieces.parts, whole.parts) << "pieces of " << piece;
    EXPECT_EQ(pieces.deepest, whole.deepest) << "pieces of " << piece;
    EXPECT_EQ(pieces.header_blocks, whole.header_blocks) << "pieces of " << piece;
  }
  return whole;
}

std::string mixed(std::string_view boundary, const std::vector<std::string>& parts,
                  std::string_view headers = "From: a@b.test\r\nSubject: s\r\n") {
  std::string raw(headers);
  raw += "Content-Type: multipart/mixed; boundary=\"" + std::string(boundary) + "\"\r\n\r\n";
  raw += "preamble\r\n";
  for (const std::string& part : parts) raw += "--" + std::string(boundary) + "\r\n" + part;
  raw += "--" + std::string(boundary) + "--\r\nepilogue\r\n";
  return raw;
}

std::string leaf(std::string_view name) {
  return "Content-Type: application/octet-stream; name=\"" + std::string(name) +
         "\"\r\n\r\nbytes\r\n";
}

TEST(MimeStructure, SinglePartMessageHasNoParts) {
  const StructureScan result = scan("From: a@b.test\r\nSubject: s\r\n\r\nbody\r\n--x\r\n");
  EXPECT_FALSE(result.over_limit);
  EXPECT_EQ(result.parts, 0u);
  EXPECT_EQ(result.deepest, 0);
  EXPECT_EQ(result.header_blocks, 1u);
}

TEST(MimeStructure, PartsOfAMultipartAreCounted) {
  const StructureScan result = scan(mixed("B", {leaf("a"), leaf("b"), leaf("c")}));
  EXPECT_EQ(result.parts, 3u);
  EXPECT_EQ(result.deepest, 1);
  EXPECT_EQ(result.header_blocks, 4u);
}

TEST(MimeStructure, UnquotedBoundaryLfLinesAndTrailingWhiteSpace) {
  const std::string raw =
      "Content-Type: multipart/mixed;\n boundary=plain\n\n--plain \t\nA: 1\n\nx\n"
      "--plain\nA: 2\n\ny\n--plain--  \n";
  EXPECT_EQ(scan(raw).parts, 2u);
}

TEST(MimeStructure, LinesThatOnlyStartLikeADelimiterAreBody) {
  const std::string raw = mixed("B", {"A: 1\r\n\r\n--Bx\r\n--B x\r\n-B\r\n--B--x\r\n"});
  EXPECT_EQ(scan(raw).parts, 1u);
}

TEST(MimeStructure, NestedMultipartsAndTheirDepth) {
  const std::string inner = mixed("I", {leaf("x"), leaf("y")}, "");
  const StructureScan result = scan(mixed("O", {leaf("a"), inner, leaf("b")}));
  EXPECT_EQ(result.parts, 5u);  // a, the inner multipart, x, y, b
  EXPECT_EQ(result.deepest, 2);
}

TEST(MimeStructure, AnOuterDelimiterClosesTheInnerMultipart) {
  // The inner multipart never closes; "--O" ends it and starts the outer's next part, whose
  // "--I" lines are body now.
  const std::string raw =
      "Content-Type: multipart/mixed; boundary=O\r\n\r\n"
      "--O\r\nContent-Type: multipart/mixed; boundary=I\r\n\r\n--I\r\nA: 1\r\n\r\nx\r\n"
      "--O\r\nA: 2\r\n\r\n--I\r\n--I\r\n--O--\r\n--O\r\n";
  const StructureScan result = scan(raw);
  EXPECT_EQ(result.parts, 3u);
  EXPECT_EQ(result.deepest, 2);
}

TEST(MimeStructure, InnerMessagesNestAndCount) {
  std::string raw = "From: a@b.test\r\n";
  for (int i = 0; i < 3; ++i) raw += "Content-Type: message/rfc822\r\n\r\nFrom: c@d.test\r\n";
  raw += "\r\nbody\r\n";
  const StructureScan result = scan(raw);
  EXPECT_EQ(result.parts, 3u);
  EXPECT_EQ(result.deepest, 3);
  EXPECT_EQ(result.header_blocks, 4u);
}

TEST(MimeStructure, ForwardedMultipartInsideAMultipart) {
  const std::string forwarded = "Content-Type: message/rfc822\r\n\r\n" +
                                mixed("F", {leaf("in1"), leaf("in2")}, "From: c@d.test\r\n");
  const StructureScan result = scan(mixed("B", {leaf("a"), forwarded}));
  EXPECT_EQ(result.parts, 5u);  // a, the message part, its message, in1, in2
  EXPECT_EQ(result.deepest, 3);
}

TEST(MimeStructure, UntypedPartsOfADigestAreMessages) {
  const std::string raw =
      "Content-Type: multipart/digest; boundary=D\r\n\r\n"
      "--D\r\n\r\nFrom: x@y.test\r\n\r\nhi\r\n--D--\r\n";
  const StructureScan result = scan(raw);
  EXPECT_EQ(result.parts, 2u);
  EXPECT_EQ(result.deepest, 2);
}

TEST(MimeStructure, PartWithoutEmptyLineEndsItsHeaderAtANonField) {
  // GMime: a line that is no field ends a header that has Content-* fields; the delimiter
  // below is then seen.
  const std::string raw = mixed("B", {"Content-Type: text/plain\r\nno field here\r\n", leaf("b")});
  EXPECT_EQ(scan(raw).parts, 2u);
}

TEST(MimeStructure, ColonlessLinesInTheMessageHeaderAreSkipped) {
  const std::string raw =
      "From: a@b.test\r\nthis line has no colon\r\n"
      "Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n\r\nx\r\n--B--\r\n";
  EXPECT_EQ(scan(raw).parts, 1u);
}

TEST(MimeStructure, ByteOrderMarkBeforeContentType) {
  const std::string raw =
      "\xEF\xBB\xBF"
      "Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n\r\nx\r\n--B--\r\n";
  EXPECT_EQ(scan(raw).parts, 1u);
}

TEST(MimeStructure, Rfc2231Boundary) {
  const std::string raw =
      "Content-Type: multipart/mixed; boundary*=us-ascii''abc\r\n\r\n--abc\r\n\r\nx\r\n"
      "--abc--\r\n";
  EXPECT_EQ(scan(raw).parts, 1u);
}

std::string parts_message(std::size_t count) {
  return mixed("B", std::vector<std::string>(count, leaf("p")));
}

TEST(MimeStructureLimits, Parts) {
  StructureLimits limits;
  limits.max_parts = 10;
  EXPECT_FALSE(scan(parts_message(10), limits).over_limit);
  EXPECT_EQ(scan(parts_message(11), limits).over_limit,
            std::optional<std::string>("limits.max_parts: more than 10 MIME parts"));
}

std::string nested(int depth) {
  std::string raw = "From: a@b.test\r\n";
  for (int i = 0; i < depth; ++i) {
    const std::string boundary = "L" + std::to_string(i);
    raw += "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n--" + boundary +
           "\r\n";
  }
  raw += "Content-Type: application/pdf\r\n\r\n%PDF\r\n";
  for (int i = depth - 1; i >= 0; --i) raw += "--L" + std::to_string(i) + "--\r\n";
  return raw;
}

TEST(MimeStructureLimits, Depth) {
  StructureLimits limits;
  limits.max_depth = 5;
  const StructureScan within = scan(nested(5), limits);
  EXPECT_FALSE(within.over_limit);
  EXPECT_EQ(within.deepest, 5);
  EXPECT_EQ(scan(nested(6), limits).over_limit,
            std::optional<std::string>("limits.max_depth: MIME nesting deeper than 5 levels"));
}

TEST(MimeStructureLimits, MessageNestingCountsAsDepth) {
  StructureLimits limits;
  limits.max_depth = 2;
  const std::string two =
      "Content-Type: message/rfc822\r\n\r\nContent-Type: message/rfc822\r\n\r\n";
  EXPECT_FALSE(scan(two + "X: 1\r\n\r\nx\r\n", limits).over_limit);
  EXPECT_TRUE(scan(two + "Content-Type: message/rfc822\r\n\r\nX: 1\r\n\r\n", limits).over_limit);
}

TEST(MimeStructureLimits, HeaderBytesCountEveryByteOfTheBlock) {
  StructureLimits limits;
  limits.max_header_bytes = 40;
  // 20 + 18 + 2 = 40 bytes, the empty line included.
  const std::string block = "Subject: 012345678\r\nX-Other: 1234567\r\n\r\n";
  ASSERT_EQ(block.size(), 40u);
  EXPECT_FALSE(scan(block + "body", limits).over_limit);
  EXPECT_EQ(scan("Subject: 012345678\r\nX-Other: 12345678\r\n\r\nbody", limits).over_limit,
            std::optional<std::string>("limits.max_header_bytes: a header block larger than 40 "
                                       "bytes"));
}

TEST(MimeStructureLimits, HeaderBytesOfAPart) {
  StructureLimits limits;
  limits.max_header_bytes = 64;
  const std::string small = mixed("B", {"X: " + std::string(50, 'x') + "\r\n\r\n"}, "");
  const std::string large = mixed("B", {"X: " + std::string(70, 'x') + "\r\n\r\n"}, "");
  EXPECT_FALSE(scan(small, limits).over_limit);
  EXPECT_TRUE(scan(large, limits).over_limit);
}

TEST(MimeStructureLimits, FieldBytesIncludeFoldedLines) {
  StructureLimits limits;
  limits.max_header_field_bytes = 30;
  // "X: " + 10 + CRLF = 15, " " + 13 + CRLF = 16: 31 bytes.
  const std::string over = "X: 0123456789\r\n 0123456789abc\r\nY: 1\r\n\r\n";
  const std::string at = "X: 0123456789\r\n 0123456789ab\r\nY: 1\r\n\r\n";
  EXPECT_FALSE(scan(at, limits).over_limit);
  EXPECT_EQ(scan(over, limits).over_limit,
            std::optional<std::string>(
                "limits.max_header_field_bytes: a header field larger than 30 bytes"));
}

TEST(MimeStructureLimits, HeaderLines) {
  StructureLimits limits;
  limits.max_header_lines = 4;
  EXPECT_FALSE(scan("A: 1\r\nB: 2\r\n 3\r\nC: 4\r\n\r\nbody\r\n", limits).over_limit);
  EXPECT_EQ(scan("A: 1\r\nB: 2\r\n 3\r\nC: 4\r\nD: 5\r\n\r\n", limits).over_limit,
            std::optional<std::string>("limits.max_header_lines: a header block of more than 4 "
                                       "lines"));
}

TEST(MimeStructureLimits, AHugeFieldWithoutLineBreakIsStoppedAtTheLimit) {
  StructureLimits limits;
  MimeStructureScanner scanner(limits);
  scanner.feed("X-Huge: ");
  const std::string piece(64 * 1024, 'a');
  for (int i = 0; i < 8 && !scanner.over_limit(); ++i) scanner.feed(piece);
  EXPECT_TRUE(scanner.over_limit());
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// Every message of the test data and the shared corpus is within the default limits, except
// the ones written to be over them.
TEST(MimeStructureCorpus, NormalMessagesAreWithinTheDefaultLimits) {
  const std::map<std::string, std::string> over = {
      {"m59_deep_nesting_40.eml", "limits.max_depth"},
      {"m61_many_parts_1200.eml", "limits.max_parts"},
      {"m62_huge_header_field.eml", "limits.max_header_field_bytes"},
  };
  std::vector<std::filesystem::path> folders = {std::filesystem::path(CONTRIBD_TEST_DATA_DIR) /
                                                "mime"};
  const std::filesystem::path corpus(CONTRIBD_CORPUS_DIR);
  if (std::filesystem::exists(corpus)) {
    folders.push_back(corpus / "public");
    folders.push_back(corpus / "tricky");
  }
  std::size_t messages = 0;
  for (const std::filesystem::path& folder : folders) {
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
      const std::string name = entry.path().filename().string();
      if (name.ends_with(".py") || name.ends_with(".md")) continue;
      ++messages;
      const StructureScan result = scan_mime_structure(read_file(entry.path()), {});
      const auto expected = over.find(name);
      if (expected == over.end()) {
        EXPECT_FALSE(result.over_limit) << name << ": " << result.over_limit.value_or("");
      } else {
        ASSERT_TRUE(result.over_limit) << name;
        EXPECT_TRUE(result.over_limit->starts_with(expected->second + ":")) << *result.over_limit;
      }
    }
  }
  EXPECT_GT(messages, 60u);
}

}  // namespace
}  // namespace contribd::mime
