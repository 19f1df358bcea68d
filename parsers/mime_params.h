// Parameterised MIME header values (Content-Type, Content-Disposition): the leading value
// and its parameters, with RFC 2231 (charset'lang', continuations, mixed) merged and
// RFC 2047 encoded-words inside plain values decoded (Outlook writes them in filename=).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace contribd::mime {

struct MimeParameter {
  std::string name;   // lower-case, without RFC 2231 "*N*" suffixes
  std::string value;  // decoded, NFC UTF-8
};

struct ParameterizedValue {
  std::string value;  // the leading token, lower-case, comments removed ("application/pdf")
  std::vector<MimeParameter> parameters;  // in order of first appearance, one per name
};

// Parses the (possibly folded) value of a Content-Type or Content-Disposition field.
// Tolerates what real mail contains: comments, spaces around '=', unquoted values with
// spaces (taken up to ';'), ';' and '\"' inside quotes, unterminated quotes (to the end),
// continuations out of order or with gaps (sorted; gaps noted), RFC 2231 and plain forms of
// one name (RFC 2231 wins), repeated names (the first wins). Each oddity appends a defect.
ParameterizedValue parse_parameterized_value(std::string_view raw,
                                             std::vector<std::string>& defects);

// The decoded value of parameter `name` (case-insensitive), if present.
std::optional<std::string> find_parameter(const ParameterizedValue& parsed, std::string_view name);

}  // namespace contribd::mime
