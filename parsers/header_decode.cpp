#include "parsers/header_decode.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "parsers/ascii_text.h"
#include "parsers/base64.h"
#include "parsers/bounded_defects.h"
#include "parsers/charset.h"

namespace contribd::mime {

namespace {

constexpr std::string_view kWhiteSpace = " \t\r\n";

struct EncodedWord {
  std::string_view charset;
  char encoding = 0;  // 'B' or 'Q', upper-case
  std::string_view text;
  std::size_t end = 0;  // position just after the closing "?="
};

bool is_space(char c) {
  return kWhiteSpace.find(c) != std::string_view::npos;
}

bool is_blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(), is_space);
}

bool is_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// First position at or after `from` where one of `targets` occurs (a needle, or any of a set
// of characters), for queries whose `from` never decreases. The last answer is kept: when it
// is still at or after the new `from`, nothing lies between the two, so the text is never
// searched twice. This is what keeps encoded-word recognition linear: a failed candidate
// costs no rescan of the text after it.
class ForwardSearch {
 public:
  enum class Kind { kNeedle, kAnyOf };
  ForwardSearch(std::string_view text, std::string_view targets, Kind kind)
      : text_(text), targets_(targets), kind_(kind) {}

  std::size_t next_at_or_after(std::size_t from) {
    if (!searched_ || (found_ != std::string_view::npos && found_ < from)) {
      found_ =
          kind_ == Kind::kNeedle ? text_.find(targets_, from) : text_.find_first_of(targets_, from);
      searched_ = true;
    }
    return found_;
  }

 private:
  std::string_view text_;
  std::string_view targets_;
  Kind kind_;
  bool searched_ = false;
  std::size_t found_ = 0;
};

// Finds the encoded-words of one text from left to right. Candidates ("=?") come in
// increasing order, and so do the positions each part of a candidate is looked up from (the
// charset's '?' follows the candidate, the text's "?=" follows that '?'), so every lookup is a
// ForwardSearch of its own.
class EncodedWordFinder {
 public:
  explicit EncodedWordFinder(std::string_view text)
      : text_(text),
        charset_end_(text, "?", ForwardSearch::Kind::kNeedle),
        space_after_charset_start_(text, kWhiteSpace, ForwardSearch::Kind::kAnyOf),
        word_end_(text, "?=", ForwardSearch::Kind::kNeedle),
        space_after_text_start_(text, kWhiteSpace, ForwardSearch::Kind::kAnyOf) {}

  // The well-formed "=?charset?B|Q?text?=" starting at `start` (text[start..] is "=?"), where
  // neither charset nor text holds white space; nullopt when it is not one.
  std::optional<EncodedWord> word_at(std::size_t start) {
    const std::size_t charset_start = start + 2;
    const std::size_t charset_end = charset_end_.next_at_or_after(charset_start);
    if (charset_end == std::string_view::npos || charset_end == charset_start) return std::nullopt;
    if (space_after_charset_start_.next_at_or_after(charset_start) < charset_end) {
      return std::nullopt;
    }
    if (charset_end + 2 >= text_.size() || text_[charset_end + 2] != '?') return std::nullopt;
    const char encoding = static_cast<char>(text_[charset_end + 1] & ~0x20);
    if (encoding != 'B' && encoding != 'Q') return std::nullopt;
    const std::size_t text_start = charset_end + 3;
    const std::size_t text_end = word_end_.next_at_or_after(text_start);
    if (text_end == std::string_view::npos) return std::nullopt;
    if (space_after_text_start_.next_at_or_after(text_start) < text_end) return std::nullopt;
    return EncodedWord{text_.substr(charset_start, charset_end - charset_start), encoding,
                       text_.substr(text_start, text_end - text_start), text_end + 2};
  }

 private:
  std::string_view text_;
  ForwardSearch charset_end_;
  ForwardSearch space_after_charset_start_;
  ForwardSearch word_end_;
  ForwardSearch space_after_text_start_;
};

std::string decode_q(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '_') {
      out.push_back(' ');
    } else if (c == '=' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
               hex_value(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string decode_word_bytes(const EncodedWord& word, BoundedDefects& defects) {
  if (word.encoding == 'Q') return decode_q(word.text);
  Base64Decoded decoded = decode_base64_lenient(word.text);
  if (decoded.had_invalid_characters || decoded.had_dangling_bits) {
    defects.add(fmt::format("invalid base64 in encoded-word \"=?{}?B?{}?=\"",
                            excerpt_for_defect(word.charset), excerpt_for_defect(word.text)));
  }
  return std::move(decoded.bytes);
}

// Puts the decoded text together as the words and the plain text between them come in.
// RFC 2047 6.2: white space between adjacent encoded-words is not displayed; and words of one
// charset are joined before conversion so that a character split over two words decodes whole.
class DecodedText {
 public:
  explicit DecodedText(BoundedDefects& defects) : defects_(defects) {}

  void add_plain(std::string_view text) {
    if (run_open_ && pending_blank_.empty() && is_blank(text)) {
      pending_blank_ = text;  // dropped if another word follows
      return;
    }
    close_run();
    append_pending_blank();
    if (is_ascii(text)) {
      out_.append(text);
    } else {
      out_ += undeclared_to_utf8(text, found_);
      defects_.take(found_);
    }
  }

  void add_word(std::string_view charset, std::string bytes) {
    pending_blank_ = {};
    if (run_open_ && ascii::equals_ignoring_case(run_charset_, charset)) {
      run_bytes_ += bytes;
      return;
    }
    close_run();
    run_open_ = true;
    run_charset_ = charset;
    run_bytes_ = std::move(bytes);
  }

  // The whole text, NFC.
  std::string finish() {
    close_run();
    append_pending_blank();
    if (is_ascii(out_)) return std::move(out_);  // already NFC; spares a copy of a long text
    return normalise_nfc(out_);
  }

 private:
  void close_run() {
    if (!run_open_) return;
    out_ += charset_to_utf8(run_bytes_, run_charset_, found_);
    defects_.take(found_);
    run_open_ = false;
    run_bytes_.clear();
  }

  void append_pending_blank() {
    out_ += pending_blank_;
    pending_blank_ = {};
  }

  BoundedDefects& defects_;
  std::vector<std::string> found_;  // defects of the conversion under way
  std::string out_;                 // UTF-8 so far, not yet NFC
  bool run_open_ = false;           // the last thing added was an encoded-word
  std::string_view run_charset_;
  std::string run_bytes_;           // decoded bytes of the adjacent words of run_charset_
  std::string_view pending_blank_;  // white space after the run, kept unless a word follows
};

}  // namespace

std::string unfold_header(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (char c : raw) {
    if (c != '\r' && c != '\n') out.push_back(c);
  }
  return out;
}

std::string decode_header_text(std::string_view raw, std::vector<std::string>& defects) {
  std::string unfolded;  // only when there are line breaks to take out
  std::string_view text = raw;
  if (raw.find_first_of("\r\n") != std::string_view::npos) text = unfolded = unfold_header(raw);
  BoundedDefects bounded(defects);
  DecodedText decoded(bounded);
  EncodedWordFinder finder(text);
  std::size_t plain_start = 0;
  std::size_t candidate = text.find("=?");
  while (candidate != std::string_view::npos) {
    const std::optional<EncodedWord> word = finder.word_at(candidate);
    if (!word) {
      candidate = text.find("=?", candidate + 1);
      continue;
    }
    if (candidate > plain_start) {
      decoded.add_plain(text.substr(plain_start, candidate - plain_start));
    }
    decoded.add_word(word->charset, decode_word_bytes(*word, bounded));
    plain_start = word->end;
    candidate = text.find("=?", plain_start);
  }
  if (plain_start < text.size()) decoded.add_plain(text.substr(plain_start));
  return decoded.finish();
}

}  // namespace contribd::mime
