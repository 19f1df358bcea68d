// The NAMESPACE response (RFC 2342): where a server keeps personal folders, other users'
// folders and shared folders, each as a prefix and a hierarchy separator.
//
//   * NAMESPACE (("INBOX." ".")) (("user." ".")) (("" "."))     Cyrus, as Debian configures it
//   * NAMESPACE (("" "/")) NIL NIL                             Dovecot
//
// Wire syntax only: the response is parsed by parse_response() (imap_response.h) first. Bad
// input never throws: a descriptor that is not (string separator ...) is left out and named
// in `defects`; a group that is neither NIL nor a list counts as empty, also with a defect;
// extension data after the separator (RFC 2342 section 6) is ignored.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "parsers/imap_response.h"

namespace contribd::imap {

struct Namespace {
  std::string prefix;     // as sent, modified UTF-7 included: "INBOX.", "" , "user."
  std::string separator;  // one character, or empty when the server sent NIL (flat)
};

struct Namespaces {
  std::vector<Namespace> personal;     // the first one is where a user's own folders go
  std::vector<Namespace> other_users;  // "user."
  std::vector<Namespace> shared;
  std::vector<std::string> defects;  // what was left out, and why
};

// The namespaces of an untagged "* NAMESPACE ..." response; nullopt for any other response.
std::optional<Namespaces> parse_namespaces(const Response& response);

}  // namespace contribd::imap
