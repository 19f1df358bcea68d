#include "parsers/mime_header_block.h"

#include <fmt/format.h>

namespace contribd::mime {

namespace {

constexpr std::size_t kDefectSampleLength = 40;
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

struct Line {
  std::string_view text;  // without the line break
  std::size_t next = 0;   // offset of the next line
};

Line line_at(std::string_view raw, std::size_t offset) {
  const std::size_t newline = raw.find('\n', offset);
  const std::size_t end = newline == std::string_view::npos ? raw.size() : newline;
  std::string_view text = raw.substr(offset, end - offset);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return {text, newline == std::string_view::npos ? raw.size() : newline + 1};
}

bool is_wsp(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (is_wsp(text.front()) || text.front() == '\r')) text.remove_prefix(1);
  while (!text.empty() && (is_wsp(text.back()) || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

std::string sample(std::string_view line) {
  std::string text(line.substr(0, kDefectSampleLength));
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 32) c = '?';
  }
  return text;
}

}  // namespace

std::string_view header_field_name(std::string_view line) {
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return {};
  std::string_view name = line.substr(0, colon);
  while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
  if (name.empty()) return {};
  for (char c : name) {
    if (c <= 32 || c >= 127) return {};
  }
  return name;
}

namespace {

// The field being read: its name and value so far (never longer than the field limit) and
// its size as written.
struct PendingField {
  std::string name;
  std::string value;
  std::size_t raw_bytes = 0;
  bool active = false;
};

class HeaderSplitter {
 public:
  HeaderSplitter(const HeaderBlockLimits& limits, HeaderBlock& block)
      : limits_(limits), block_(block) {}

  void start_field(std::string_view name, std::string_view value, std::size_t raw_bytes) {
    finish_field();
    pending_.active = true;
    pending_.name = name.substr(0, limits_.max_field_bytes);  // longer: dropped anyway
    pending_.raw_bytes = 0;
    pending_.value.clear();
    append(value, raw_bytes);
  }

  bool has_field() const { return pending_.active; }

  // Unfold: the line break goes, the white space stays.
  void append(std::string_view text, std::size_t raw_bytes) {
    pending_.raw_bytes += raw_bytes;
    const std::size_t room =
        limits_.max_field_bytes - std::min(limits_.max_field_bytes, pending_.value.size());
    pending_.value.append(text.substr(0, room));
  }

  void finish_field() {
    if (!pending_.active) return;
    pending_.active = false;
    if (pending_.raw_bytes > limits_.max_field_bytes) {
      drop(fmt::format("header field \"{}\" larger than {} bytes ({} bytes) dropped",
                       sample(pending_.name), limits_.max_field_bytes, pending_.raw_bytes),
           fmt::format("limits.max_header_field_bytes: a header field larger than {} bytes",
                       limits_.max_field_bytes));
      return;
    }
    const std::size_t size = pending_.name.size() + pending_.value.size() + 2;
    if (kept_bytes_ + size > limits_.max_bytes) {
      drop(fmt::format("header block larger than {} bytes; field \"{}\" ({} bytes) dropped",
                       limits_.max_bytes, sample(pending_.name), size),
           fmt::format("limits.max_header_bytes: a header block larger than {} bytes",
                       limits_.max_bytes));
      return;
    }
    kept_bytes_ += size;
    block_.fields.push_back({std::move(pending_.name), std::string(trim(pending_.value))});
  }

  // False once the block has more lines than allowed: the rest is not read.
  bool count_line() {
    if (++lines_ <= limits_.max_lines) return true;
    pending_.active = false;
    drop(fmt::format("header block longer than {} lines; the rest dropped", limits_.max_lines),
         fmt::format("limits.max_header_lines: a header block of more than {} lines",
                     limits_.max_lines));
    return false;
  }

 private:
  void drop(std::string defect, std::string over_limit) {
    block_.defects.push_back(std::move(defect));
    block_.needs_repair = true;
    if (!block_.over_limit) block_.over_limit = std::move(over_limit);
  }

  const HeaderBlockLimits& limits_;
  HeaderBlock& block_;
  PendingField pending_;
  std::size_t kept_bytes_ = 0;
  std::size_t lines_ = 0;
};

}  // namespace

HeaderBlock split_header_block(std::string_view raw, const HeaderBlockLimits& limits) {
  HeaderBlock block;
  std::size_t offset = 0;
  if (raw.substr(0, kUtf8Bom.size()) == kUtf8Bom) {
    // Some Windows tools save messages with a byte order mark; it is not part of a name.
    block.defects.push_back("byte order mark before the first header removed");
    block.needs_repair = true;
    offset = kUtf8Bom.size();
  }
  HeaderSplitter splitter(limits, block);
  while (offset < raw.size()) {
    const Line line = line_at(raw, offset);
    const std::size_t raw_bytes = line.next - offset;
    offset = line.next;
    if (line.text.empty()) break;
    if (!splitter.count_line()) break;
    if (is_wsp(line.text.front()) && splitter.has_field()) {
      splitter.append(line.text, raw_bytes);
    } else if (std::string_view name = header_field_name(line.text); !name.empty()) {
      splitter.start_field(name, line.text.substr(line.text.find(':') + 1), raw_bytes);
    } else {
      block.defects.push_back(
          fmt::format("header line without a colon dropped: \"{}\"", sample(line.text)));
      block.needs_repair = true;
    }
  }
  splitter.finish_field();
  block.body_offset = offset;
  return block;
}

std::string rebuild_message(const HeaderBlock& block, std::string_view raw) {
  std::string rebuilt;
  rebuilt.reserve(raw.size());
  for (const HeaderField& field : block.fields) {
    rebuilt += field.name;
    rebuilt += ": ";
    rebuilt += field.value;
    rebuilt += "\r\n";
  }
  rebuilt += "\r\n";
  rebuilt.append(raw.substr(std::min(block.body_offset, raw.size())));
  return rebuilt;
}

}  // namespace contribd::mime
