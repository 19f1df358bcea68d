// The first mailbox of an address-list header field (From, Reply-To, Sender; RFC 5322 3.4),
// read leniently and in linear time. GMime's address parser is not used: it reads the whole
// list and decodes display names with its own RFC 2047 decoder, both super-linear on hostile
// fields (200,000 addresses, a megabyte of encoded-word fragments in a name).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace contribd::mime {

struct MailboxAddress {
  // "local@domain" as written (a quoted local part keeps its quotes), comments, white space
  // and line breaks taken out (never CR or LF); a bare local part ("MAILER-DAEMON") alone;
  // empty when the field has no mailbox.
  std::string addr_spec;
  // The display name ("Name <addr>", or the comment of "addr (Name)"), its quoted strings
  // unquoted, RFC 2047 and 8-bit text decoded as decode_header_text() does: NFC UTF-8. Empty
  // when there is none.
  std::string display_name;
};

// The first entry of `field` (raw or unfolded) that is a mailbox. Skipped, with a defect each:
// groups ("team: a@b;" and "undisclosed-recipients:;", whose members are not taken), entries
// with no address ("<>", "@x", "a@", "two words"). Tolerated: an angle bracket never closed
// (the address runs to the end), obs-route ("<@relay:a@b>"), white space and comments inside
// the address, an unquoted '@' in the display name ("a@b <c@d>" gives c@d). Reading stops at
// the end of the first mailbox: time is linear in the bytes read, never more than the field.
// No mailbox at all: both strings empty.
MailboxAddress parse_first_mailbox(std::string_view field, std::vector<std::string>& defects);

}  // namespace contribd::mime
