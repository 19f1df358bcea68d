// libFuzzer target: what a hostile server could send during AUTHENTICATE / AUTH with an OAuth
// token. The input is tried as the server's base64 error challenge, and also base64-encoded
// first, so that the JSON reader sees attacker-chosen bytes directly. Nothing may throw or
// crash; every text shown is printable and bounded however long the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "parsers/base64.h"
#include "parsers/sasl_wire.h"

namespace {

using namespace contribd::sasl;

constexpr std::size_t kMaxField = kMaxShownError + 3;  // "..." marks a cut
constexpr std::size_t kMaxDescription = 2 * kMaxField + 16;

bool has_control_character(std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return true;
  }
  return false;
}

void check_field(std::string_view field) {
  if (field.size() > kMaxField || has_control_character(field)) std::abort();
}

void check_server_error(std::string_view challenge) {
  const ServerError error = parse_server_error(challenge);
  for (const std::string* field :
       {&error.status, &error.scope, &error.openid_configuration, &error.raw}) {
    check_field(*field);
  }
  const std::string described = describe(error);
  if (described.size() > kMaxDescription || has_control_character(described)) std::abort();
  if (challenge.empty() && !described.empty()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_server_error(input);
  check_server_error(contribd::encode_base64(input));
  return 0;
}
