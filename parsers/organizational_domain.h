// The organizational domain of a host name (DMARC, RFC 7489 section 3.2): the registrable
// domain under the Public Suffix List, as libpsl's built-in copy of the list knows it (both
// its ICANN and private sections, so "a.github.io" and "b.github.io" are different
// organizations). Pure: no files are read, the list is compiled into libpsl.
#pragma once

#include <string>
#include <string_view>

namespace contribd::mime {

// "A.B.Example.CO.UK." -> "example.co.uk". The name is lower-cased (ASCII) and one trailing
// dot removed; internationalized names must come as A-labels ("xn--..."), as they appear in
// DKIM d= and in SMTP. A name that is itself a public suffix ("co.uk", "github.io") is its
// own organizational domain (and so is every name, which makes alignment strict, should libpsl
// be built without a list). Returns "" for anything that is not a host name: empty labels,
// a label over 63 or a name over 253 characters, characters other than letters, digits, '-'
// and '_' (so U-labels and 8-bit bytes too).
std::string organizational_domain(std::string_view host);

// DMARC relaxed alignment: true when both names are host names with the same organizational
// domain ("mail.example.com" and "example.com"); false when either is not a host name.
bool aligned_relaxed(std::string_view domain_a, std::string_view domain_b);

}  // namespace contribd::mime
