#include "parsers/mime_params.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "parsers/ascii_text.h"
#include "parsers/bounded_defects.h"
#include "parsers/charset.h"
#include "parsers/header_decode.h"

namespace contribd::mime {

namespace {

// Limits of one field; see the header.
constexpr std::size_t kMaxParameters = 64;
constexpr std::size_t kMaxSections = 1000;

struct RawParameter {
  std::string attribute;  // lower-case, as written ("filename*0*")
  std::string value;      // unquoted, escapes resolved, not decoded
};

// All the pieces written for one parameter name.
struct ParameterPieces {
  std::size_t first_position = 0;
  std::optional<std::string> plain;                              // name=value
  std::optional<std::string> extended;                           // name*=charset'lang'value
  std::map<std::size_t, std::pair<std::string, bool>> sections;  // N -> (value, extended)
};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string trim(std::string_view text) {
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && is_space(text[begin])) ++begin;
  while (end > begin && is_space(text[end - 1])) --end;
  return std::string(text.substr(begin, end - begin));
}

// Skips a comment starting at text[pos] == '('; returns the position after it.
std::size_t skip_comment(std::string_view text, std::size_t pos) {
  int depth = 0;
  for (; pos < text.size(); ++pos) {
    const char c = text[pos];
    if (c == '\\') {
      ++pos;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')' && --depth == 0) {
      return pos + 1;
    }
  }
  return pos;
}

class Scanner {
 public:
  Scanner(std::string_view text, std::vector<std::string>& defects)
      : text_(text), defects_(defects) {}

  bool at_end() const { return pos_ >= text_.size(); }

  void skip_cfws() {
    while (!at_end()) {
      if (is_space(text_[pos_])) {
        ++pos_;
      } else if (text_[pos_] == '(') {
        pos_ = skip_comment(text_, pos_);
      } else {
        return;
      }
    }
  }

  // The leading value up to the first ';', comments and white space removed.
  std::string leading_value() {
    std::string value;
    while (!at_end() && text_[pos_] != ';') {
      if (text_[pos_] == '(') {
        pos_ = skip_comment(text_, pos_);
      } else {
        if (!is_space(text_[pos_])) value.push_back(text_[pos_]);
        ++pos_;
      }
    }
    return ascii::lower(value);
  }

  std::optional<RawParameter> next_parameter() {
    while (!at_end() && (text_[pos_] == ';' || is_space(text_[pos_]))) ++pos_;
    skip_cfws();
    if (at_end()) return std::nullopt;
    const std::size_t name_start = pos_;
    while (!at_end() && text_[pos_] != '=' && text_[pos_] != ';') ++pos_;
    std::string attribute = ascii::lower(trim(text_.substr(name_start, pos_ - name_start)));
    if (at_end() || text_[pos_] == ';') {
      if (!attribute.empty()) {
        defects_.push_back(
            fmt::format("parameter \"{}\" has no value", excerpt_for_defect(attribute)));
      }
      return RawParameter{"", ""};
    }
    ++pos_;  // '='
    while (!at_end() && is_space(text_[pos_])) ++pos_;
    std::string value = (!at_end() && text_[pos_] == '"') ? quoted_value() : token_value();
    return RawParameter{std::move(attribute), std::move(value)};
  }

 private:
  std::string quoted_value() {
    std::string value;
    ++pos_;  // opening quote
    bool closed = false;
    while (!at_end()) {
      const char c = text_[pos_++];
      if (c == '\\' && !at_end()) {
        value.push_back(text_[pos_++]);
      } else if (c == '"') {
        closed = true;
        break;
      } else {
        value.push_back(c);
      }
    }
    if (!closed) defects_.push_back("unterminated quoted parameter value");
    // Anything between the closing quote and the next ';' is junk (or a comment).
    while (!at_end() && text_[pos_] != ';') ++pos_;
    return value;
  }

  std::string token_value() {
    const std::size_t start = pos_;
    while (!at_end() && text_[pos_] != ';') ++pos_;
    return trim(text_.substr(start, pos_ - start));
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::vector<std::string>& defects_;
};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
        hex_value(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

struct CharsetAndText {
  std::string charset;
  std::string_view text;
};

// Splits "charset'lang'text"; without both quotes the whole is text of no charset.
CharsetAndText split_charset(std::string_view value) {
  const std::size_t first = value.find('\'');
  if (first == std::string_view::npos) return {"", value};
  const std::size_t second = value.find('\'', first + 1);
  if (second == std::string_view::npos) return {"", value};
  return {std::string(value.substr(0, first)), value.substr(second + 1)};
}

std::string decode_extended(std::string_view value, std::vector<std::string>& defects) {
  const CharsetAndText parts = split_charset(value);
  return charset_to_utf8(percent_decode(parts.text), parts.charset, defects);
}

std::string merge_sections(const std::string& name, const ParameterPieces& pieces,
                           std::vector<std::string>& defects) {
  std::string charset;
  std::string bytes;
  std::size_t expected = 0;
  for (const auto& [index, section] : pieces.sections) {
    if (index != expected) {
      defects.push_back(fmt::format("parameter \"{}\": continuation {} missing",
                                    excerpt_for_defect(name), expected));
    }
    expected = index + 1;
    const auto& [value, extended] = section;
    if (!extended) {
      bytes += value;
    } else if (index == pieces.sections.begin()->first) {
      const CharsetAndText parts = split_charset(value);
      charset = parts.charset;
      bytes += percent_decode(parts.text);
    } else {
      bytes += percent_decode(value);
    }
  }
  if (charset.empty()) return decode_header_text(bytes, defects);
  return charset_to_utf8(bytes, charset, defects);
}

std::string decode_pieces(const std::string& name, const ParameterPieces& pieces,
                          std::vector<std::string>& defects) {
  if (pieces.extended) return decode_extended(*pieces.extended, defects);
  if (!pieces.sections.empty()) return merge_sections(name, pieces, defects);
  return decode_header_text(*pieces.plain, defects);
}

// Splits "name*3*" into ("name", 3, true). No section number: section is nullopt. A number
// of more than nine digits is kept as kMaxSections, which is over the limit anyway.
struct AttributeForm {
  std::string name;
  std::optional<std::size_t> section;
  bool extended = false;
};

std::size_t section_number(std::string_view digits) {
  if (digits.size() > 9) return kMaxSections;
  std::size_t number = 0;
  for (char digit : digits) number = number * 10 + static_cast<std::size_t>(digit - '0');
  return number;
}

AttributeForm parse_attribute(std::string_view attribute) {
  AttributeForm form;
  if (!attribute.empty() && attribute.back() == '*') {
    form.extended = true;
    attribute.remove_suffix(1);
  }
  const std::size_t star = attribute.find('*');
  if (star != std::string_view::npos) {
    const std::string_view digits = attribute.substr(star + 1);
    const bool numeric = !digits.empty() && std::all_of(digits.begin(), digits.end(), [](char c) {
      return c >= '0' && c <= '9';
    });
    if (numeric) {
      form.section = section_number(digits);
      attribute = attribute.substr(0, star);
    }
  }
  form.name = std::string(attribute);
  return form;
}

using PiecesByName = std::map<std::string, ParameterPieces>;

// Files `raw` under its name. A new name beyond kMaxParameters, or a section number at or
// beyond kMaxSections, is dropped with a defect: neither real mail nor any client needs more.
void add_piece(PiecesByName& pieces_by_name, std::size_t position, const RawParameter& raw,
               BoundedDefects& defects) {
  const AttributeForm form = parse_attribute(raw.attribute);
  auto it = pieces_by_name.find(form.name);
  if (it == pieces_by_name.end()) {
    if (pieces_by_name.size() >= kMaxParameters) {
      defects.add(fmt::format("more than {} parameters; the rest are dropped", kMaxParameters));
      return;
    }
    it = pieces_by_name.try_emplace(form.name).first;
    it->second.first_position = position;
  }
  ParameterPieces& pieces = it->second;
  if (form.section) {
    if (*form.section >= kMaxSections) {
      defects.add(fmt::format("parameter \"{}\": continuations from {} on are dropped",
                              excerpt_for_defect(form.name), kMaxSections));
    } else if (!pieces.sections.try_emplace(*form.section, raw.value, form.extended).second) {
      defects.add(fmt::format("parameter \"{}\": continuation {} repeated",
                              excerpt_for_defect(form.name), *form.section));
    }
  } else if (form.extended) {
    if (!pieces.extended) pieces.extended = raw.value;
  } else if (pieces.plain) {
    defects.add(
        fmt::format("parameter \"{}\" repeated; the first is used", excerpt_for_defect(form.name)));
  } else {
    pieces.plain = raw.value;
  }
}

}  // namespace

ParameterizedValue parse_parameterized_value(std::string_view raw,
                                             std::vector<std::string>& defects) {
  const std::string text = unfold_header(raw);
  BoundedDefects bounded(defects);
  std::vector<std::string> found;  // defects of the scanner and the decoders, before bounding
  Scanner scanner(text, found);
  ParameterizedValue parsed;
  scanner.skip_cfws();
  parsed.value = scanner.leading_value();

  PiecesByName pieces_by_name;
  std::size_t position = 0;
  while (std::optional<RawParameter> raw_parameter = scanner.next_parameter()) {
    bounded.take(found);
    if (raw_parameter->attribute.empty()) continue;
    add_piece(pieces_by_name, position++, *raw_parameter, bounded);
  }
  bounded.take(found);

  std::vector<std::pair<std::size_t, MimeParameter>> ordered;
  for (const auto& [name, pieces] : pieces_by_name) {
    ordered.push_back({pieces.first_position, {name, decode_pieces(name, pieces, found)}});
    bounded.take(found);
  }
  std::sort(ordered.begin(), ordered.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [unused_position, parameter] : ordered) {
    parsed.parameters.push_back(std::move(parameter));
  }
  return parsed;
}

std::optional<std::string> find_parameter(const ParameterizedValue& parsed, std::string_view name) {
  const std::string wanted = ascii::lower(name);
  for (const MimeParameter& parameter : parsed.parameters) {
    if (parameter.name == wanted) return parameter.value;
  }
  return std::nullopt;
}

}  // namespace contribd::mime
