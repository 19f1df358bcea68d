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
// one name (RFC 2231 wins), repeated names (the first wins). Each oddity appends a defect;
// the defects of one field are bounded as decode_header_text()'s are (BoundedDefects).
// Limits: the first 64 parameter names are kept, pieces with further names are dropped; the
// continuation sections 0 to 999 of a name are kept, higher numbers dropped; one defect says
// so. Time is linear in the size of `raw`, whatever the number or order of the pieces.
ParameterizedValue parse_parameterized_value(std::string_view raw,
                                             std::vector<std::string>& defects);

// The decoded value of parameter `name` (case-insensitive), if present.
std::optional<std::string> find_parameter(const ParameterizedValue& parsed, std::string_view name);

}  // namespace contribd::mime
