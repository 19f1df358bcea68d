// libFuzzer target: the first mailbox of an address list, on arbitrary bytes. Never a crash;
// the display name is always valid UTF-8, and the address never carries a line break (it goes
// into the To: of a reply).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "parsers/mime_address.h"
#include "parsers/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace contribd::mime;
  using contribd::is_valid_utf8;
  const std::string_view field(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> defects;
  const MailboxAddress mailbox = parse_first_mailbox(field, defects);
  if (!is_valid_utf8(mailbox.display_name)) std::abort();
  if (mailbox.addr_spec.find_first_of("\r\n") != std::string::npos) std::abort();
  if (mailbox.addr_spec.size() > field.size()) std::abort();
  if (defects.size() > 17) std::abort();  // one field's defects are bounded
  return 0;
}
