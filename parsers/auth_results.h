// The Authentication-Results header field (RFC 8601): which server checked a message, and what
// each method (spf, dkim, dmarc, ...) found. Pure: the field's unfolded value in, a value out;
// malformed or hostile input never throws, it yields what could be read plus a defect each.
// Work is linear in the input: every step consumes bytes and nothing is scanned twice.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace contribd::mime {

// At most this many results are read from one field; the rest are dropped with a defect.
inline constexpr std::size_t kMaxAuthResults = 100;
// At most this many properties are kept per result; the rest are dropped with a defect.
inline constexpr std::size_t kMaxAuthProperties = 32;

// At most this many defects are listed, then one "more defects not listed"; an unterminated
// comment or quoted string, which ends the field, may add one more each.
inline constexpr std::size_t kMaxAuthDefects = 20;

// "header.d=example.com": ptype "header", property "d", value "example.com".
struct AuthProperty {
  std::string ptype;     // lower-case keyword: "smtp", "header", "body", "policy", ...
  std::string property;  // lower-case keyword: "mailfrom", "d", "i", "from", ...
  std::string value;     // as written, quotes removed: "@example.com", "x@example.com"
};

// One resinfo: "dkim=pass reason=\"good signature\" header.d=example.com".
struct AuthResult {
  std::string method;          // lower-case keyword: "spf", "dkim", "dmarc", "compauth", ...
  std::string method_version;  // digits after "method/", empty when absent
  std::string result;          // lower-case keyword: "pass", "fail", "none", "softfail", ...
  std::string reason;          // the reason= value, quotes removed; empty when absent
  std::vector<AuthProperty> properties;

  // The value of the first property ptype.property (both compared case-insensitively), or
  // nullptr when there is none.
  const std::string* find(std::string_view ptype, std::string_view property) const;
};

struct AuthenticationResults {
  // The server that wrote the field, as written (quotes removed). Empty when the field does not
  // name one: Exchange Online and Exchange on-premises write the results without it.
  std::string authserv_id;
  std::string version;               // digits after the authserv-id, empty when absent
  std::vector<AuthResult> results;   // in field order; empty for "none" or when nothing parsed
  std::vector<std::string> defects;  // one sentence per problem; empty for a valid field
};

// Parses the value of one Authentication-Results field (after "Authentication-Results:",
// unfolded or not; line breaks count as white space). Comments are skipped, also nested ones
// and ones holding ';'. Readable results are kept when others are not: a malformed resinfo is
// skipped to the next ';' outside comments and quotes, with a defect. Tolerated with a defect:
// a missing authserv-id (the first word followed by '='), name=value pairs that are not
// ptype.property (Exchange's "action=none"). Values of properties may hold '@', '/', '+', '='
// and 8-bit bytes, as real header.b and smtp.mailfrom values do. Empty input gives an empty
// value with a defect.
AuthenticationResults parse_authentication_results(std::string_view value);

}  // namespace contribd::mime
