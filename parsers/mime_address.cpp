#include "parsers/mime_address.h"

#include <fmt/format.h>

#include <optional>

#include "parsers/bounded_defects.h"
#include "parsers/header_decode.h"
#include "parsers/rfc5322_comment.h"

namespace contribd::mime {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// RFC 5322 specials, less '.': atoms here carry their dots, as obs-phrase ("Dr. Who") and
// dot-atom ("a.b") both want.
bool is_special(char c) {
  return std::string_view("()<>[]:;@\\,\"").find(c) != std::string_view::npos;
}

bool is_atom_character(char c) {
  return !is_special(c) && !is_space(c);
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// Reads one address list from the front, every position at most a bounded number of times:
// positions only move forward, except read_domain() stepping back over the white space and
// comments it looked past (so each of those is read twice at most).
class AddressListReader {
 public:
  AddressListReader(std::string_view text, BoundedDefects& defects)
      : text_(text), defects_(defects) {}

  MailboxAddress first_mailbox() {
    while (!at_end()) {
      if (std::optional<MailboxAddress> mailbox = read_entry()) return std::move(*mailbox);
    }
    return {};
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }

  // One entry of the list, up to its end (the ',' after it is left for the next call, which
  // skips it). nullopt for what is not a mailbox; every call moves on by one byte at least.
  std::optional<MailboxAddress> read_entry() {
    skip_cfws();
    const std::size_t start = pos_;
    Words words = read_words();
    if (at_end() || peek() == ',' || peek() == ';') return bare_local_part(start, words);
    switch (peek()) {
      case '<':
        return read_angle_addr(start, pos_);
      case '@':
        return read_addr_spec(start, std::move(words));
      case ':':
        skip_group();
        return std::nullopt;
      default:
        defects_.add(fmt::format("address list: unexpected '{}' in an address", peek()));
        skip_entry();
        return std::nullopt;
    }
  }

  struct Words {
    std::string as_written;  // atoms and quoted strings, quotes kept, white space and comments out
    std::size_t count = 0;
    bool any_quoted = false;
    bool dot_separated = true;  // "a.b", "a . b": a local part; "john smith" is not one
  };

  // Atoms and quoted strings separated by white space and comments: a display name, or the
  // local part of an address.
  Words read_words() {
    Words words;
    while (!at_end()) {
      const std::size_t start = pos_;
      if (peek() == '"') {
        skip_quoted_string();
        words.any_quoted = true;
      } else if (is_atom_character(peek())) {
        while (!at_end() && is_atom_character(peek())) ++pos_;
      } else {
        break;
      }
      const std::string_view word = text_.substr(start, pos_ - start);
      if (words.count > 0 && words.as_written.back() != '.' && word.front() != '.') {
        words.dot_separated = false;
      }
      words.as_written += unfold_header(word);  // a quoted string may be folded
      ++words.count;
      skip_cfws();
    }
    return words;
  }

  // "MAILER-DAEMON" alone is a mailbox (a local user, GMime's reading too); "two words" is not.
  std::optional<MailboxAddress> bare_local_part(std::size_t start, const Words& words) {
    const std::string_view entry = trim(text_.substr(start, pos_ - start));
    if (!at_end()) ++pos_;  // the ',' or ';'
    if (words.count == 1 && !words.any_quoted) return MailboxAddress{words.as_written, ""};
    if (words.count > 0) {
      defects_.add(fmt::format("address list: \"{}\" has no address", excerpt_for_defect(entry)));
    }
    return std::nullopt;
  }

  // At '@' after the local part: "local@domain", then either "<addr>" (the part so far was a
  // display name written without quotes) or an optional comment that names the mailbox.
  std::optional<MailboxAddress> read_addr_spec(std::size_t start, Words local) {
    ++pos_;  // '@'
    const std::string domain = read_domain();
    const std::size_t after_domain = pos_;
    std::optional<std::string_view> comment;
    skip_cfws(&comment);
    if (!at_end() && peek() == '<') return read_angle_addr(start, after_domain);
    if (local.count == 0 || !local.dot_separated || domain.empty()) {
      defects_.add("address list: an address lacks its local part or its domain, or has spaces");
      skip_entry();
      return std::nullopt;
    }
    MailboxAddress mailbox{local.as_written + "@" + domain, ""};
    if (comment) mailbox.display_name = decode(*comment);
    return mailbox;
  }

  // At '<': "<[@route,@route:]local@domain>", the text from `display_start` to `display_end`
  // being the display name.
  std::optional<MailboxAddress> read_angle_addr(std::size_t display_start,
                                                std::size_t display_end) {
    ++pos_;  // '<'
    skip_cfws();
    if (!at_end() && peek() == '@') skip_obs_route();
    const Words local = read_words();
    std::string addr_spec = local.as_written;
    if (!at_end() && peek() == '@') {
      ++pos_;
      addr_spec += "@" + read_domain();
    }
    skip_to_closing_angle();
    if (local.count == 0) {
      defects_.add("address list: an empty or unreadable <address>");
      return std::nullopt;
    }
    return MailboxAddress{std::move(addr_spec), display_name_from(text_.substr(
                                                    display_start, display_end - display_start))};
  }

  // dot-atoms or a domain literal, white space and comments allowed around the dots only.
  std::string read_domain() {
    std::string domain;
    skip_cfws();
    while (!at_end()) {
      const std::size_t start = pos_;
      if (peek() == '[') {
        while (!at_end() && peek() != ']') ++pos_;
        if (!at_end()) ++pos_;
      } else if (is_atom_character(peek())) {
        while (!at_end() && is_atom_character(peek())) ++pos_;
      } else {
        break;
      }
      domain += unfold_header(text_.substr(start, pos_ - start));  // a literal may be folded
      const std::size_t before_space = pos_;
      skip_cfws();
      if (domain.back() == '.' || (!at_end() && peek() == '.')) continue;
      pos_ = before_space;
      break;
    }
    return domain;
  }

  // "@relay1,@relay2:" before the address proper: dropped (RFC 5322 obs-route).
  void skip_obs_route() {
    while (!at_end() && peek() != ':' && peek() != '>') ++pos_;
    if (!at_end() && peek() == ':') ++pos_;
    skip_cfws();
  }

  void skip_to_closing_angle() {
    skip_to_outside_quotes('>');
    if (at_end()) {
      defects_.add("address list: '<' without '>'; the address runs to the end");
      return;
    }
    ++pos_;
  }

  // "name: members;" — its members are not taken (GMime's reading too).
  void skip_group() { skip_until_outside_quotes(';'); }

  // To just after the next ',' (outside quoted strings and comments), or to the end.
  void skip_entry() { skip_until_outside_quotes(','); }

  void skip_until_outside_quotes(char stop) {
    skip_to_outside_quotes(stop);
    if (!at_end()) ++pos_;
  }

  // To the next `stop` outside quoted strings and comments (left there), or to the end.
  void skip_to_outside_quotes(char stop) {
    while (!at_end() && peek() != stop) {
      if (peek() == '"') {
        skip_quoted_string();
      } else if (peek() == '(') {
        skip_comment();
      } else {
        ++pos_;
      }
    }
  }

  // White space and comments; the content of the first comment goes to `first_comment`.
  void skip_cfws(std::optional<std::string_view>* first_comment = nullptr) {
    while (!at_end()) {
      if (is_space(peek())) {
        ++pos_;
      } else if (peek() == '(') {
        const std::size_t open = pos_;
        const bool closed = skip_comment();
        if (first_comment && !*first_comment) {
          *first_comment = text_.substr(open + 1, pos_ - open - (closed ? 2 : 1));
        }
      } else {
        return;
      }
    }
  }

  // At '(': to just after the matching ')', nested comments and escapes included (true), or
  // to the end (false).
  bool skip_comment() {
    const rfc5322::CommentEnd comment = rfc5322::comment_end(text_, pos_);
    pos_ = comment.end;
    if (!comment.closed) defects_.add("address list: comment not closed");
    return comment.closed;
  }

  // At '"': to just after the closing quote, or the end.
  void skip_quoted_string() {
    ++pos_;
    while (!at_end()) {
      const char c = text_[pos_++];
      if (c == '\\') {
        if (!at_end()) ++pos_;
      } else if (c == '"') {
        return;
      }
    }
    defects_.add("address list: quoted string not closed");
  }

  // The phrase before "<addr>": quoted strings lose their quotes and escapes, the rest (comments
  // included, as GMime keeps them) stays as written; then RFC 2047 and 8-bit text are decoded.
  std::string display_name_from(std::string_view phrase) {
    std::string unquoted;
    unquoted.reserve(phrase.size());
    bool in_quotes = false;
    int comment_depth = 0;
    for (std::size_t i = 0; i < phrase.size(); ++i) {
      const char c = phrase[i];
      if (c == '\\' && i + 1 < phrase.size()) {
        if (!in_quotes) unquoted.push_back(c);
        unquoted.push_back(phrase[++i]);
      } else if (c == '"' && comment_depth == 0) {
        in_quotes = !in_quotes;
      } else {
        if (!in_quotes && c == '(') ++comment_depth;
        if (!in_quotes && c == ')' && comment_depth > 0) --comment_depth;
        unquoted.push_back(c);
      }
    }
    return decode(trim(unquoted));
  }

  std::string decode(std::string_view text) {
    std::vector<std::string> found;
    std::string decoded = decode_header_text(text, found);
    defects_.take(found);
    return decoded;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  BoundedDefects& defects_;
};

}  // namespace

MailboxAddress parse_first_mailbox(std::string_view field, std::vector<std::string>& defects) {
  BoundedDefects bounded(defects);
  return AddressListReader(field, bounded).first_mailbox();
}

}  // namespace contribd::mime
