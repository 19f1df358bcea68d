// Whether the From address of a message is authenticated, so that a reply may go to it
// (SPEC step 4, [trust]). Only Authentication-Results fields written by our own receiving
// server count: it strips forged copies bearing its authserv-id, and fields of any other
// authserv-id are ignored, whatever they claim. Pure: plain data in, a decision out; hostile
// header values never throw, at worst they leave the sender unauthenticated.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace contribd::policy {

// The evidence kept for the register holds whole fields up to this many bytes; the fields
// beyond are counted in a last line instead.
inline constexpr std::size_t kMaxTrustEvidenceBytes = 8192;

struct SenderTrust {
  bool authenticated = false;
  // The trusted Authentication-Results values seen, one per line, in header order, control
  // characters replaced by spaces; empty when there were none.
  std::string evidence;
  // One line for the log, naming the domains concerned. When not authenticated, why not:
  // "no Authentication-Results from mx.itu.int", "dmarc=fail for member.test", "dkim=pass for
  // other.test is not aligned with member.test" (several findings joined by "; "). When
  // authenticated, the result that did it: "dkim=pass for member.test".
  std::string reason;
};

// `headers` are the message's top-level fields as name/value pairs, in order, values unfolded
// and undecoded; `from_address` the bare From addr-spec; `authserv_id` the configured
// [trust] authserv_id, compared case-insensitively. Authenticated when a trusted field reports
//   dmarc=pass, with header.from (when present) aligned with the From domain, or
//   dkim=pass with header.d (else the domain of header.i) aligned with it, or
//   spf=pass with smtp.mailfrom (an address or a domain) aligned with it,
// aligned meaning DMARC relaxed alignment (same organizational domain). A From address without
// a host-name domain, or an empty `authserv_id`, is never authenticated.
SenderTrust decide_sender_trust(std::string_view from_address,
                                const std::vector<std::pair<std::string, std::string>>& headers,
                                std::string_view authserv_id);

// The key under which replies to one sender are counted per hour: the address lower-cased
// (ASCII), a "+tag" removed from the local part, so that "alice+1@x" and "ALICE@X" count as
// one. A local part that starts with '+' and an address without '@' are only lower-cased.
std::string rate_limit_key(std::string_view address);

}  // namespace contribd::policy
