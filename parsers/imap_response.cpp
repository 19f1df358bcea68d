#include "parsers/imap_response.h"

#include <fmt/format.h>

#include <limits>

#include "parsers/ascii_text.h"
#include "parsers/printable.h"

namespace contribd::imap {
namespace {

constexpr std::size_t kMaxStatusText = 300;

char upper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

std::string to_upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = upper(c);
  return out;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_line_end(char c) {
  return c == '\r' || c == '\n';
}

// Atom characters as servers write them: RFC 3501 ATOM-CHAR plus '\' (flags), '%' and '*'
// ("\*" in PERMANENTFLAGS), and 8-bit bytes, which some servers put in atoms. "]" ends an atom
// so that a response code "[UIDNEXT 4]" closes; "[" opens a section inside "BODY[...]".
bool is_atom_char(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte <= 0x20 || byte == 0x7f) return false;
  return c != '(' && c != ')' && c != '{' && c != '"' && c != ']' && c != '[';
}

std::optional<std::uint64_t> to_number(std::string_view digits) {
  if (digits.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : digits) {
    if (!is_digit(c)) return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

std::optional<Status> status_of(std::string_view name) {
  if (name == "OK") return Status::ok;
  if (name == "NO") return Status::no;
  if (name == "BAD") return Status::bad;
  if (name == "PREAUTH") return Status::preauth;
  if (name == "BYE") return Status::bye;
  return std::nullopt;
}

class Parser {
 public:
  explicit Parser(std::string_view input) : in_(input) {}

  ParseResult parse() {
    Response response;
    const bool ok = parse_response(response) && finish();
    if (!ok) return ParseResult{std::nullopt, error_};
    return ParseResult{std::move(response), {}};
  }

 private:
  bool fail(std::string_view reason) {
    if (error_.empty()) error_ = fmt::format("at byte {}: {}", pos_, reason);
    return false;
  }

  bool at_line_end() const { return pos_ >= in_.size() || is_line_end(in_[pos_]); }
  bool at(char c) const { return pos_ < in_.size() && in_[pos_] == c; }

  bool expect(char c, std::string_view what) {
    if (!at(c)) return fail(fmt::format("expected {}", what));
    ++pos_;
    return true;
  }

  // One optional final line break, then nothing.
  bool finish() {
    if (at('\r')) ++pos_;
    if (at('\n')) ++pos_;
    if (pos_ != in_.size()) return fail("line break or data after the end of the response");
    return true;
  }

  bool parse_response(Response& response) {
    if (at('+')) return parse_continuation(response);
    if (at('*')) return parse_untagged(response);
    return parse_tagged(response);
  }

  bool parse_continuation(Response& response) {
    response.kind = Response::Kind::continuation;
    ++pos_;
    if (at(' ')) ++pos_;
    response.text = take_text();
    return true;
  }

  bool parse_untagged(Response& response) {
    response.kind = Response::Kind::untagged;
    ++pos_;
    if (!expect(' ', "a space after '*'")) return false;
    if (pos_ < in_.size() && is_digit(in_[pos_])) {
      const std::string_view digits = take_atom_chars();
      const auto number = to_number(digits);
      if (!number || *number > std::numeric_limits<std::uint32_t>::max()) {
        return fail("message number out of range");
      }
      response.number = static_cast<std::uint32_t>(*number);
      if (!expect(' ', "a space after the message number")) return false;
    }
    if (!parse_keyword(response.name)) return false;
    response.status = status_of(response.name);
    if (response.status) {
      if (response.number) return fail("a status response carries no message number");
      return parse_status_rest(response);
    }
    return parse_values(response.values, '\0', 0);
  }

  bool parse_tagged(Response& response) {
    response.kind = Response::Kind::tagged;
    response.tag = std::string(take_atom_chars());
    if (response.tag.empty()) return fail("expected a tag, '*' or '+'");
    if (!expect(' ', "a space after the tag")) return false;
    if (!parse_keyword(response.name)) return false;
    response.status = status_of(response.name);
    if (!response.status || *response.status == Status::preauth ||
        *response.status == Status::bye) {
      return fail(fmt::format("tagged response with status {}, not OK, NO or BAD", response.name));
    }
    return parse_status_rest(response);
  }

  bool parse_keyword(std::string& out) {
    const std::string_view word = take_atom_chars();
    if (word.empty()) return fail("expected a response keyword");
    out = to_upper(word);
    return true;
  }

  // resp-text after a status: [" "] ["[" code "]"] [" "] text
  bool parse_status_rest(Response& response) {
    if (at(' ')) ++pos_;
    if (at('[')) {
      ++pos_;
      ResponseCode code;
      if (!parse_code(code)) return false;
      response.code = std::move(code);
      if (at(' ')) ++pos_;
    }
    response.text = take_text();
    return true;
  }

  bool parse_code(ResponseCode& code) {
    const std::string_view name = take_atom_chars();
    if (name.empty()) return fail("empty response code");
    code.name = to_upper(name);
    if (at(' ')) ++pos_;
    const std::size_t args_start = pos_;
    std::vector<Value> values;
    if (parse_values(values, ']', 1) && at(']')) {
      code.values = std::move(values);
    } else {
      // Free-text arguments ("[ALERT]"-style codes from odd servers): keep them raw.
      error_.clear();
      pos_ = args_start;
      while (!at_line_end() && !at(']')) ++pos_;
    }
    code.arguments = std::string(in_.substr(args_start, pos_ - args_start));
    while (!code.arguments.empty() && code.arguments.back() == ' ') code.arguments.pop_back();
    return expect(']', "']' closing the response code");
  }

  // Values separated by spaces (or abutting, as in BODYSTRUCTURE) until `closer` or, for
  // closer '\0', the end of the line.
  bool parse_values(std::vector<Value>& out, char closer, std::size_t depth) {
    for (;;) {
      while (at(' ')) ++pos_;
      if (closer != '\0' && at(closer)) return true;
      if (at_line_end()) {
        if (closer == '\0') return true;
        return fail(fmt::format("unterminated list, expected '{}'", closer));
      }
      Value value;
      if (!parse_value(value, depth)) return false;
      out.push_back(std::move(value));
    }
  }

  bool parse_value(Value& value, std::size_t depth) {
    if (++value_count_ > kMaxValues) return fail("too many values");
    if (at('(')) return parse_list(value, depth);
    if (at('"')) return parse_quoted(value);
    if (at('{') || (at('~') && pos_ + 1 < in_.size() && in_[pos_ + 1] == '{')) {
      return parse_literal(value);
    }
    return parse_atom(value);
  }

  bool parse_list(Value& value, std::size_t depth) {
    if (depth + 1 > kMaxNesting) return fail("lists nested too deeply");
    ++pos_;
    value.kind = Value::Kind::list;
    if (!parse_values(value.items, ')', depth + 1)) return false;
    return expect(')', "')'");
  }

  bool parse_quoted(Value& value) {
    ++pos_;
    value.kind = Value::Kind::string;
    while (pos_ < in_.size()) {
      const char c = in_[pos_++];
      if (c == '"') return true;
      if (is_line_end(c) || c == '\0') {
        --pos_;
        return fail("line break or NUL inside a quoted string");
      }
      if (c == '\\') {
        if (!at('"') && !at('\\')) return fail("invalid escape in a quoted string");
        value.text.push_back(in_[pos_++]);
        continue;
      }
      value.text.push_back(c);
    }
    return fail("unterminated quoted string");
  }

  bool parse_literal(Value& value) {
    if (at('~')) ++pos_;
    ++pos_;  // '{'
    const std::size_t digits_start = pos_;
    while (pos_ < in_.size() && is_digit(in_[pos_])) ++pos_;
    const auto length = to_number(in_.substr(digits_start, pos_ - digits_start));
    if (!length) return fail("literal length missing or out of range");
    if (at('+')) ++pos_;
    if (!expect('}', "'}' closing the literal length")) return false;
    if (at('\r')) ++pos_;
    if (!expect('\n', "a line break after the literal announcement")) return false;
    if (*length > in_.size() - pos_) {
      return fail(
          fmt::format("literal of {} bytes but only {} follow", *length, in_.size() - pos_));
    }
    value.kind = Value::Kind::string;
    value.text = std::string(in_.substr(pos_, *length));
    pos_ += *length;
    return true;
  }

  // An atom, a number or NIL; an atom may carry a section and a partial: "BODY[1.MIME]<0>".
  bool parse_atom(Value& value) {
    const std::size_t start = pos_;
    take_atom_chars();
    if (pos_ == start) {
      return fail(
          fmt::format("unexpected character 0x{:02x}", static_cast<unsigned char>(in_[pos_])));
    }
    if (at('[') && !skip_section()) return false;
    const std::string_view word = in_.substr(start, pos_ - start);
    value.text = std::string(word);
    if (ascii::equals_ignoring_case(word, "NIL")) {
      value.kind = Value::Kind::nil;
      value.text.clear();
      return true;
    }
    if (is_digit(word.front()) && word.find_first_not_of("0123456789") == std::string_view::npos) {
      const auto number = to_number(word);
      if (!number) return fail("number out of range");
      value.kind = Value::Kind::number;
      value.number = *number;
      return true;
    }
    value.kind = Value::Kind::atom;
    return true;
  }

  // "[HEADER.FIELDS (FROM TO)]" and an optional "<partial>"; brackets do not nest.
  bool skip_section() {
    while (!at_line_end() && !at(']')) ++pos_;
    if (!expect(']', "']' closing the section")) return false;
    if (at('<')) {
      while (!at_line_end() && !at('>')) ++pos_;
      if (!expect('>', "'>' closing the partial range")) return false;
    }
    return true;
  }

  std::string_view take_atom_chars() {
    const std::size_t start = pos_;
    while (pos_ < in_.size() && is_atom_char(in_[pos_])) ++pos_;
    return in_.substr(start, pos_ - start);
  }

  std::string take_text() {
    const std::size_t start = pos_;
    while (!at_line_end()) ++pos_;
    return std::string(in_.substr(start, pos_ - start));
  }

  std::string_view in_;
  std::size_t pos_ = 0;
  std::size_t value_count_ = 0;
  std::string error_;
};

}  // namespace

bool Value::is_atom(std::string_view upper_case_name) const {
  return kind == Kind::atom && ascii::equals_ignoring_case(text, upper_case_name);
}

std::optional<std::string_view> Value::as_text() const {
  if (kind == Kind::nil || kind == Kind::list) return std::nullopt;
  return std::string_view(text);
}

std::optional<std::uint64_t> announced_literal(std::string_view line) {
  if (line.empty() || line.back() != '}') return std::nullopt;
  line.remove_suffix(1);
  if (!line.empty() && line.back() == '+') line.remove_suffix(1);
  const std::size_t open = line.rfind('{');
  if (open == std::string_view::npos) return std::nullopt;
  return to_number(line.substr(open + 1));
}

ParseResult parse_response(std::string_view bytes) {
  return Parser(bytes).parse();
}

const Value* fetch_attribute(const Response& response, std::string_view name) {
  if (response.name != "FETCH" || response.values.empty() ||
      response.values.front().kind != Value::Kind::list) {
    return nullptr;
  }
  const auto& items = response.values.front().items;
  for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
    if (items[i].kind == Value::Kind::atom && ascii::equals_ignoring_case(items[i].text, name))
      return &items[i + 1];
  }
  return nullptr;
}

std::optional<std::vector<std::string>> capabilities(const Response& response) {
  const std::vector<Value>* values = nullptr;
  if (response.name == "CAPABILITY" && !response.status) {
    values = &response.values;
  } else if (response.code && response.code->name == "CAPABILITY") {
    values = &response.code->values;
  }
  if (!values) return std::nullopt;
  std::vector<std::string> names;
  for (const Value& value : *values) {
    if (value.kind == Value::Kind::atom) names.push_back(to_upper(value.text));
  }
  return names;
}

std::string status_text(const Response& response) {
  std::string out;
  if (response.code) {
    out += '[';
    append_printable(out, response.code->name);
    if (!response.code->arguments.empty()) {
      out += ' ';
      append_printable(out, response.code->arguments);
    }
    out += ']';
    if (!response.text.empty()) out += ' ';
  }
  append_printable(out, response.text);
  if (out.size() > kMaxStatusText) {
    out.resize(kMaxStatusText);
    out += "...";
  }
  return out;
}

}  // namespace contribd::imap
