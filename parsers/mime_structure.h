// The MIME structure of a raw message counted while its bytes stream by, before anything is
// built from them: header blocks, parts and nesting, checked against the extraction limits,
// so that a message over one of them is held before a MIME tree costs memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace contribd::mime {

struct StructureLimits {
  std::size_t max_parts = 1000;  // entities after a delimiter line, plus message/* inner messages
  int max_depth = 32;            // the message is at depth 0, each enclosed entity one deeper
  std::size_t max_header_bytes = 1 << 20;          // one header block, raw, line breaks included
  std::size_t max_header_field_bytes = 256 << 10;  // one field, raw, folded lines included
  std::size_t max_header_lines = 5000;             // non-empty lines of one header block
};

// Feed the message in chunks of any size, then call finish(); the result is the same
// wherever the chunks are cut. Work is constant per byte (a delimiter line is compared with
// each open boundary, at most max_depth + 1 of them) and memory is bounded by the limits:
// one header field (<= max_header_field_bytes) and one boundary per open multipart.
//
// It follows the structure as GMime's parser does: a header block ends at an empty line (or,
// in a part that already has Content-* fields, at a line that is no field); Content-Type
// gives multipart/* with its boundary= (quoted or not, RFC 2231 too; type from the first
// Content-Type field, boundary from the last that has one), message/rfc822, rfc2822, news and
// global an inner message, and a part of multipart/digest without a type is message/rfc822;
// a body line "--boundary" or "--boundary--" followed only by white space (CRLF or LF) of any
// open multipart is a delimiter, innermost first, and one of an outer multipart closes the
// inner ones (RFC 2046 5.1.2). Lines without a colon in the message's own header block are
// skipped, as extract_message() drops them before GMime sees the block. Where GMime is more
// lenient the count errs high, never low.
//
// At the first limit exceeded counting stops and over_limit() names it, as
// "limits.KEY: what was found"; later bytes are ignored. Malformed input never throws.
class MimeStructureScanner {
 public:
  explicit MimeStructureScanner(const StructureLimits& limits);

  void feed(std::string_view bytes);
  void finish();  // the end of the message: a last line without a line break counts too

  const std::optional<std::string>& over_limit() const { return over_limit_; }
  std::size_t parts() const { return parts_; }
  int deepest() const { return deepest_; }  // the greatest entity depth seen
  std::size_t header_blocks() const { return header_blocks_; }

 private:
  struct Container {
    std::optional<std::string> delimiter;  // "--boundary" of a multipart; none for a message
    int depth = 0;                         // of the multipart or message/* entity itself
    bool digest = false;                   // multipart/digest: untyped parts are messages
  };

  // The entity whose header block is being read.
  struct Entity {
    int depth = 0;
    bool top = true;                      // the message itself (colon-less lines are skipped)
    bool in_digest = false;               // a part of multipart/digest
    bool first_line = true;               // of an inner message: a delimiter may leave it empty
    bool has_content_fields = false;      // a Content-* field was seen
    std::optional<std::string> type;      // lower-case type/subtype of the first Content-Type
    std::optional<std::string> boundary;  // of the last Content-Type that has one
  };

  struct DelimiterMatch {
    std::size_t index = 0;  // in open_
    bool closing = false;   // "--boundary--"
  };

  void take_line_bytes(std::string_view bytes);
  void take_header_bytes(std::string_view bytes);
  void end_line();
  void end_header_line();
  void finish_field();
  void end_header_block();
  void enter_body();
  void begin_entity(int depth, bool in_digest, bool inner_message);
  void push(Container container);
  void pop_to(std::size_t size);
  std::optional<DelimiterMatch> find_delimiter(std::string_view head, bool tail_is_space) const;
  void take_delimiter(DelimiterMatch match);
  void exceed(std::string text);

  StructureLimits limits_;
  std::optional<std::string> over_limit_;
  std::size_t parts_ = 0;
  int deepest_ = 0;
  std::size_t header_blocks_ = 1;
  bool in_header_ = true;
  Entity entity_;
  std::vector<Container> open_;  // innermost last
  std::size_t longest_delimiter_ = 0;

  // The current line.
  std::uint64_t line_bytes_ = 0;
  // Header: the field being read, raw (lines and line breaks), and where its last line starts.
  std::string field_;
  std::size_t line_start_ = 0;
  bool continuation_ = false;
  std::size_t block_bytes_ = 0;
  std::size_t block_lines_ = 0;
  bool block_has_field_ = false;
  // Body: the start of a line that may be a delimiter, and whether the rest is white space.
  std::string line_head_;
  bool maybe_delimiter_ = false;
  bool tail_is_space_ = true;
};

// The scanner run over `raw` in one piece.
struct StructureScan {
  std::optional<std::string> over_limit;
  std::size_t parts = 0;
  int deepest = 0;
  std::size_t header_blocks = 0;
};
StructureScan scan_mime_structure(std::string_view raw, const StructureLimits& limits);

}  // namespace contribd::mime
