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

// The field name when `line` starts a field ("Name:" with printable ASCII name), else "".
std::string_view field_name(std::string_view line) {
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

std::string sample(std::string_view line) {
  std::string text(line.substr(0, kDefectSampleLength));
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 32) c = '?';
  }
  return text;
}

}  // namespace

HeaderBlock split_header_block(std::string_view raw, std::size_t max_bytes) {
  HeaderBlock block;
  std::size_t offset = 0;
  if (raw.substr(0, kUtf8Bom.size()) == kUtf8Bom) {
    // Some Windows tools save messages with a byte order mark; it is not part of a name.
    block.defects.push_back("byte order mark before the first header removed");
    block.needs_repair = true;
    offset = kUtf8Bom.size();
  }
  std::size_t kept_bytes = 0;
  std::vector<std::pair<std::string, std::string>> pending;  // the field being read
  auto finish_field = [&] {
    if (pending.empty()) return;
    auto& [name, value] = pending.front();
    const std::size_t size = name.size() + value.size() + 2;
    if (kept_bytes + size > max_bytes) {
      block.defects.push_back(
          fmt::format("header block larger than {} bytes; field \"{}\" ({} bytes) dropped",
                      max_bytes, sample(name), size));
      block.needs_repair = true;
    } else {
      kept_bytes += size;
      block.fields.push_back({std::move(name), std::string(trim(value))});
    }
    pending.clear();
  };
  while (offset < raw.size()) {
    const Line line = line_at(raw, offset);
    if (line.text.empty()) {
      offset = line.next;
      break;
    }
    if (is_wsp(line.text.front()) && !pending.empty()) {
      // Unfold: drop the line break, keep the white space.
      if (pending.front().second.size() <= max_bytes) pending.front().second += line.text;
    } else if (std::string_view name = field_name(line.text); !name.empty()) {
      finish_field();
      const std::string_view value = line.text.substr(line.text.find(':') + 1);
      pending.push_back({std::string(name), std::string(value)});
    } else {
      block.defects.push_back(
          fmt::format("header line without a colon dropped: \"{}\"", sample(line.text)));
      block.needs_repair = true;
    }
    offset = line.next;
  }
  finish_field();
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
