#include "parsers/mime_structure.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "parsers/ascii_text.h"
#include "parsers/mime_header_block.h"
#include "parsers/mime_params.h"

namespace contribd::mime {

namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool is_all_space(std::string_view text) {
  return std::all_of(text.begin(), text.end(), is_space);
}

std::string_view without_line_break(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// GMime's test for a field line in a part's header: a name of characters other than white
// space and controls, then ':'.
bool is_gmime_field_line(std::string_view line) {
  if (line.empty() || line.front() == ':') return false;
  for (char c : line) {
    if (c == ':') return true;
    if (static_cast<unsigned char>(c) <= 32 || c == 127) return false;
  }
  return false;
}

bool is_inner_message_type(std::string_view type) {
  return type == "message/rfc822" || type == "message/rfc2822" || type == "message/news" ||
         type == "message/global";
}

// `head` (the start of a line; the rest, if any, is white space when `tail_is_space`) is
// `delimiter` + `suffix` followed by white space only.
bool is_delimiter_line(std::string_view head, bool tail_is_space, std::string_view delimiter,
                       std::string_view suffix) {
  if (!tail_is_space || head.size() < delimiter.size() + suffix.size()) return false;
  if (head.substr(0, delimiter.size()) != delimiter) return false;
  if (head.substr(delimiter.size(), suffix.size()) != suffix) return false;
  return is_all_space(head.substr(delimiter.size() + suffix.size()));
}

}  // namespace

MimeStructureScanner::MimeStructureScanner(const StructureLimits& limits) : limits_(limits) {}

void MimeStructureScanner::feed(std::string_view bytes) {
  while (!bytes.empty() && !over_limit_) {
    const void* newline = std::memchr(bytes.data(), '\n', bytes.size());
    const std::size_t length =
        newline ? static_cast<std::size_t>(static_cast<const char*>(newline) - bytes.data()) + 1
                : bytes.size();
    take_line_bytes(bytes.substr(0, length));
    if (newline != nullptr && !over_limit_) end_line();
    bytes.remove_prefix(length);
  }
}

void MimeStructureScanner::finish() {
  if (!over_limit_ && line_bytes_ > 0) end_line();
}

void MimeStructureScanner::exceed(std::string text) {
  if (!over_limit_) over_limit_ = std::move(text);
}

void MimeStructureScanner::take_line_bytes(std::string_view bytes) {
  if (in_header_) {
    take_header_bytes(bytes);
    return;
  }
  if (line_bytes_ == 0) {
    line_head_.clear();
    tail_is_space_ = true;
    maybe_delimiter_ = longest_delimiter_ > 0;
  }
  line_bytes_ += bytes.size();
  if (!maybe_delimiter_) return;
  // Only as much of the line is kept as the longest closing delimiter needs.
  const std::size_t head_cap = longest_delimiter_ + 2;
  const std::size_t kept = std::min(bytes.size(), head_cap - line_head_.size());
  line_head_.append(bytes.substr(0, kept));
  if (line_head_[0] != '-' || (line_head_.size() > 1 && line_head_[1] != '-') ||
      !is_all_space(bytes.substr(kept))) {
    maybe_delimiter_ = false;  // the rest of the line need not be looked at
  }
}

void MimeStructureScanner::take_header_bytes(std::string_view bytes) {
  if (line_bytes_ == 0) {
    // A line starting with white space continues the field; any other ends it.
    continuation_ = block_has_field_ && (bytes.front() == ' ' || bytes.front() == '\t');
    if (!continuation_) {
      finish_field();
      field_.clear();
    }
    line_start_ = field_.size();
  }
  // Room left before each limit; the one whose byte comes first is named, so that where the
  // chunks were cut does not change the answer (a field is part of its block: on the same
  // byte, the field).
  const std::size_t field_room =
      limits_.max_header_field_bytes - std::min(limits_.max_header_field_bytes, field_.size());
  const std::size_t block_room =
      limits_.max_header_bytes - std::min(limits_.max_header_bytes, block_bytes_);
  if (bytes.size() > std::min(field_room, block_room)) {
    exceed(field_room <= block_room
               ? fmt::format("limits.max_header_field_bytes: a header field larger than {} bytes",
                             limits_.max_header_field_bytes)
               : fmt::format("limits.max_header_bytes: a header block larger than {} bytes",
                             limits_.max_header_bytes));
    return;
  }
  line_bytes_ += bytes.size();
  block_bytes_ += bytes.size();
  field_.append(bytes);
}

void MimeStructureScanner::end_line() {
  if (in_header_) {
    end_header_line();
  } else {
    if (maybe_delimiter_) {
      if (const auto match = find_delimiter(line_head_, tail_is_space_)) take_delimiter(*match);
    }
  }
  line_bytes_ = 0;
}

void MimeStructureScanner::end_header_line() {
  const std::string line = field_.substr(line_start_);
  if (entity_.first_line) {
    // GMime looks for a delimiter first: an inner message may be empty.
    entity_.first_line = false;
    if (const auto match = find_delimiter(line, true)) {
      enter_body();
      take_delimiter(*match);
      return;
    }
  }
  const std::string_view text = without_line_break(line);
  if (!continuation_ && text.empty()) {
    field_.clear();
    end_header_block();
    return;
  }
  if (++block_lines_ > limits_.max_header_lines) {
    exceed(fmt::format("limits.max_header_lines: a header block of more than {} lines",
                       limits_.max_header_lines));
    return;
  }
  block_has_field_ = true;
  if (continuation_) return;
  if (entity_.top) {
    // extract_message() drops such lines before GMime reads the block.
    std::string_view unmarked = text;
    if (unmarked.substr(0, kUtf8Bom.size()) == kUtf8Bom) unmarked.remove_prefix(kUtf8Bom.size());
    if (header_field_name(unmarked).empty()) field_.clear();
  } else if (!is_gmime_field_line(text)) {
    if (!entity_.has_content_fields) return;  // GMime keeps it in the header
    // GMime takes it for the first body line of a part that forgot the empty line.
    field_.clear();
    end_header_block();
    if (!in_header_) {
      if (const auto match = find_delimiter(line, true)) take_delimiter(*match);
    } else {
      field_ = line;  // the first line of the inner message just begun
      line_start_ = 0;
      continuation_ = false;
      block_bytes_ = line.size();
      end_header_line();
    }
    return;
  }
  if (ascii::starts_with_ignoring_case(text, "content-")) entity_.has_content_fields = true;
}

void MimeStructureScanner::finish_field() {
  std::string_view text = field_;
  if (entity_.top && text.substr(0, kUtf8Bom.size()) == kUtf8Bom) {
    text.remove_prefix(kUtf8Bom.size());
  }
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) return;
  std::string_view name = text.substr(0, colon);
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
  if (name.size() != 12 || !ascii::starts_with_ignoring_case(name, "content-type")) return;
  std::string value;
  for (char c : text.substr(colon + 1)) {
    if (c != '\r' && c != '\n') value.push_back(c);  // unfolded
  }
  std::vector<std::string> ignored;  // GMime reports the same oddities later
  const ParameterizedValue parsed = parse_parameterized_value(value, ignored);
  if (!entity_.type) entity_.type = parsed.value;
  if (std::optional<std::string> boundary = find_parameter(parsed, "boundary")) {
    entity_.boundary = std::move(boundary);
  }
}

void MimeStructureScanner::end_header_block() {
  std::string type = entity_.type.value_or("");
  // GMime gives a part of a digest without a usable type message/rfc822.
  if (entity_.in_digest && type.find('/') == std::string::npos) type = "message/rfc822";
  enter_body();
  if (type.substr(0, 9) == "multipart") {
    if (entity_.boundary) {
      push({"--" + *entity_.boundary, entity_.depth, type == "multipart/digest"});
    }
  } else if (is_inner_message_type(type)) {
    push({std::nullopt, entity_.depth, false});
    begin_entity(entity_.depth + 1, false, true);
  }
}

void MimeStructureScanner::enter_body() {
  in_header_ = false;
  field_.clear();
  block_bytes_ = 0;
  block_lines_ = 0;
  block_has_field_ = false;
}

void MimeStructureScanner::begin_entity(int depth, bool in_digest, bool inner_message) {
  if (++parts_ > limits_.max_parts) {
    exceed(fmt::format("limits.max_parts: more than {} MIME parts", limits_.max_parts));
    return;
  }
  if (depth > limits_.max_depth) {
    exceed(fmt::format("limits.max_depth: MIME nesting deeper than {} levels", limits_.max_depth));
    return;
  }
  deepest_ = std::max(deepest_, depth);
  ++header_blocks_;
  entity_ = Entity{};
  entity_.depth = depth;
  entity_.top = false;
  entity_.in_digest = in_digest;
  entity_.first_line = inner_message;
  enter_body();
  in_header_ = true;
}

void MimeStructureScanner::push(Container container) {
  if (container.delimiter) {
    longest_delimiter_ = std::max(longest_delimiter_, container.delimiter->size());
  }
  open_.push_back(std::move(container));
}

void MimeStructureScanner::pop_to(std::size_t size) {
  if (size >= open_.size()) return;
  open_.resize(size);
  longest_delimiter_ = 0;
  for (const Container& container : open_) {
    if (container.delimiter) {
      longest_delimiter_ = std::max(longest_delimiter_, container.delimiter->size());
    }
  }
}

std::optional<MimeStructureScanner::DelimiterMatch> MimeStructureScanner::find_delimiter(
    std::string_view head, bool tail_is_space) const {
  if (head.size() < 2 || head[0] != '-' || head[1] != '-') return std::nullopt;
  for (std::size_t i = open_.size(); i-- > 0;) {
    if (!open_[i].delimiter) continue;
    const std::string& delimiter = *open_[i].delimiter;
    if (is_delimiter_line(head, tail_is_space, delimiter, "--")) return DelimiterMatch{i, true};
    if (is_delimiter_line(head, tail_is_space, delimiter, "")) return DelimiterMatch{i, false};
  }
  return std::nullopt;
}

void MimeStructureScanner::take_delimiter(DelimiterMatch match) {
  pop_to(match.index + 1);  // an outer delimiter closes the multiparts inside
  if (match.closing) {
    pop_to(match.index);
    return;
  }
  const Container& multipart = open_[match.index];
  begin_entity(multipart.depth + 1, multipart.digest, false);
}

StructureScan scan_mime_structure(std::string_view raw, const StructureLimits& limits) {
  MimeStructureScanner scanner(limits);
  scanner.feed(raw);
  scanner.finish();
  return {scanner.over_limit(), scanner.parts(), scanner.deepest(), scanner.header_blocks()};
}

}  // namespace contribd::mime
