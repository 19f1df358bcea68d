#include "parsers/auth_results.h"

#include <fmt/format.h>

#include <utility>

#include "parsers/ascii_text.h"
#include "parsers/rfc5322_comment.h"

namespace contribd::mime {
namespace {

bool is_white_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// RFC 8601 Keyword is an ldh-str; '_' is accepted too, as some filters write it.
bool is_keyword_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-' || c == '_';
}

bool is_control(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7f;
}

// RFC 2045 token: printable ASCII without space and tspecials.
bool is_token_char(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte <= 0x20 || byte >= 0x7f) return false;
  return std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

// A property value ends at white space, a comment, the next resinfo or a control character.
bool ends_property_value(char c) {
  return is_white_space(c) || c == ';' || c == '(' || c == ')' || is_control(c);
}

// Reads the field left to right; every method consumes at least one byte or reports that it
// could not, so the parse as a whole is one pass.
class Cursor {
 public:
  Cursor(std::string_view text, std::vector<std::string>& defects)
      : text_(text), defects_(defects) {}

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  bool at(char c) const { return !at_end() && text_[pos_] == c; }
  std::size_t position() const { return pos_; }
  void rewind_to(std::size_t position) { pos_ = position; }

  bool consume(char c) {
    if (!at(c)) return false;
    ++pos_;
    return true;
  }

  // White space and comments (RFC 5322 CFWS): comments nest and may hold quoted pairs.
  void skip_cfws() {
    while (!at_end()) {
      if (is_white_space(peek())) {
        ++pos_;
      } else if (at('(')) {
        skip_comment();
      } else {
        return;
      }
    }
  }

  std::string_view keyword() { return take_while(is_keyword_char); }

  std::string_view digits() { return take_while(is_digit); }

  // RFC 2045 value: a quoted-string or a token.
  std::string value() {
    if (at('"')) return quoted_string();
    return std::string(take_while(is_token_char));
  }

  // RFC 8601 pvalue, read leniently: a quoted-string (possibly the local part of an address),
  // or a run of anything up to white space, a comment or ';'.
  std::string property_value() {
    std::string out;
    if (at('"')) {
      out = quoted_string();
      if (!at('@')) return out;
    }
    const std::size_t start = pos_;
    while (!at_end() && !ends_property_value(peek())) ++pos_;
    out += text_.substr(start, pos_ - start);
    return out;
  }

  // Skips to the next ';' outside comments and quoted strings (or to the end), so that one
  // malformed resinfo costs only itself.
  void skip_to_semicolon() {
    while (!at_end() && !at(';')) {
      if (at('(')) {
        skip_comment();
      } else if (at('"')) {
        quoted_string();
      } else {
        ++pos_;
      }
    }
  }

 private:
  template <typename Predicate>
  std::string_view take_while(Predicate accepts) {
    const std::size_t start = pos_;
    while (!at_end() && accepts(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }

  void skip_comment() {
    const rfc5322::CommentEnd comment = rfc5322::comment_end(text_, pos_);
    pos_ = comment.end;
    if (!comment.closed) defects_.push_back("unterminated comment");
  }

  // Returns the content with quoted pairs resolved; at an unterminated quote, what was read.
  std::string quoted_string() {
    std::string out;
    ++pos_;  // the opening quote
    while (!at_end()) {
      const char c = text_[pos_++];
      if (c == '"') return out;
      if (c == '\\' && !at_end()) {
        out += text_[pos_++];
      } else {
        out += c;
      }
    }
    defects_.push_back("unterminated quoted string");
    return out;
  }

  std::string_view text_;
  std::vector<std::string>& defects_;
  std::size_t pos_ = 0;
};

class FieldParser {
 public:
  explicit FieldParser(std::string_view text) : cursor_(text, out_.defects) {}

  AuthenticationResults parse() {
    cursor_.skip_cfws();
    if (cursor_.at_end()) {
      defect("empty Authentication-Results field");
      return std::move(out_);
    }
    const bool first_item_follows = read_authserv_id();
    read_items(first_item_follows);
    return std::move(out_);
  }

 private:
  // Formats only while there is room, so that a field of a million bad items costs no more
  // than reading it.
  template <typename... Args>
  void defect(fmt::format_string<Args...> format, Args&&... args) {
    if (out_.defects.size() < kMaxAuthDefects) {
      out_.defects.push_back(fmt::format(format, std::forward<Args>(args)...));
    } else if (out_.defects.size() == kMaxAuthDefects) {
      out_.defects.push_back("more defects not listed");
    }
  }

  // Returns true when the field has no authserv-id and starts with a resinfo right away.
  bool read_authserv_id() {
    const std::size_t start = cursor_.position();
    std::string id = cursor_.value();
    cursor_.skip_cfws();
    if (!id.empty() && (cursor_.at('=') || cursor_.at('/') || cursor_.at('.'))) {
      defect("no authserv-id: the field starts with a result");
      cursor_.rewind_to(start);
      return true;
    }
    if (id.empty()) defect("no authserv-id");
    out_.authserv_id = std::move(id);
    out_.version = std::string(cursor_.digits());
    cursor_.skip_cfws();
    return false;
  }

  void read_items(bool first_item_follows) {
    bool expect_separator = !first_item_follows;
    while (true) {
      cursor_.skip_cfws();
      if (cursor_.at_end()) return;
      if (expect_separator && !cursor_.consume(';')) {
        defect("expected ';' at offset {}", cursor_.position());
        cursor_.skip_to_semicolon();
        continue;
      }
      expect_separator = true;
      cursor_.skip_cfws();
      // An empty item (";;" or a trailing ';', as Exchange writes) carries nothing.
      if (cursor_.at_end() || cursor_.at(';')) continue;
      if (out_.results.size() == kMaxAuthResults) {
        defect("more than {} results; the rest ignored", kMaxAuthResults);
        return;
      }
      read_result();
    }
  }

  // methodspec [reasonspec] *propspec, or the lone "none".
  void read_result() {
    AuthResult result;
    result.method = ascii::lower(cursor_.keyword());
    if (result.method.empty()) return skip_item("a result does not start with a method name");
    cursor_.skip_cfws();
    if (cursor_.consume('/')) {
      cursor_.skip_cfws();
      result.method_version = std::string(cursor_.digits());
      cursor_.skip_cfws();
    }
    if (result.method == "none" && (cursor_.at_end() || cursor_.at(';'))) {
      return;  // "authserv-id; none": no authentication was done
    }
    if (!cursor_.consume('=')) return skip_item("method {} has no result", result.method);
    cursor_.skip_cfws();
    result.result = ascii::lower(cursor_.keyword());
    if (result.result.empty()) return skip_item("method {} has no result", result.method);
    read_reason_and_properties(result);
    out_.results.push_back(std::move(result));
  }

  void read_reason_and_properties(AuthResult& result) {
    while (true) {
      cursor_.skip_cfws();
      if (cursor_.at_end() || cursor_.at(';')) return;
      const std::string name = ascii::lower(cursor_.keyword());
      if (name.empty()) {
        return skip_item("unexpected character in the {} result", result.method);
      }
      cursor_.skip_cfws();
      if (cursor_.consume('.')) {
        if (!read_property(result, name)) return;
      } else if (cursor_.consume('=')) {
        cursor_.skip_cfws();
        std::string value = cursor_.value();
        if (name == "reason") {
          result.reason = std::move(value);
        } else {
          defect("{}= in the {} result is not a property", name, result.method);
        }
      } else {
        return skip_item("{} in the {} result has no value", name, result.method);
      }
    }
  }

  // After "ptype.": property [CFWS] "=" pvalue. Returns false when the item was abandoned.
  bool read_property(AuthResult& result, const std::string& ptype) {
    cursor_.skip_cfws();
    std::string property = ascii::lower(cursor_.keyword());
    cursor_.skip_cfws();
    if (property.empty() || !cursor_.consume('=')) {
      skip_item("malformed property {}. in the {} result", ptype, result.method);
      return false;
    }
    cursor_.skip_cfws();
    std::string value = cursor_.property_value();
    if (value.empty()) defect("{}.{} has an empty value", ptype, property);
    if (result.properties.size() == kMaxAuthProperties) {
      skip_item("more than {} properties in the {} result; the rest ignored", kMaxAuthProperties,
                result.method);
      return false;
    }
    result.properties.push_back({ptype, std::move(property), std::move(value)});
    return true;
  }

  template <typename... Args>
  void skip_item(fmt::format_string<Args...> format, Args&&... args) {
    defect(format, std::forward<Args>(args)...);
    cursor_.skip_to_semicolon();
  }

  AuthenticationResults out_;
  Cursor cursor_;
};

}  // namespace

const std::string* AuthResult::find(std::string_view ptype, std::string_view property) const {
  for (const AuthProperty& candidate : properties) {
    if (ascii::equals_ignoring_case(candidate.ptype, ptype) &&
        ascii::equals_ignoring_case(candidate.property, property)) {
      return &candidate.value;
    }
  }
  return nullptr;
}

AuthenticationResults parse_authentication_results(std::string_view value) {
  return FieldParser(value).parse();
}

}  // namespace contribd::mime
