// libFuzzer target: a NAMESPACE response (RFC 2342) as a hostile IMAP server could send it,
// through the response parser and then the namespace reader, as the session reads it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "parsers/imap_namespace.h"
#include "parsers/imap_response.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto result = contribd::imap::parse_response(input);
  if (!result.response) return 0;
  if (auto spaces = contribd::imap::parse_namespaces(*result.response)) {
    for (const auto& group : {spaces->personal, spaces->other_users, spaces->shared}) {
      for (const auto& space : group) {
        if (space.separator.size() > 1) __builtin_trap();  // the contract: one character or none
      }
    }
  }
  return 0;
}
