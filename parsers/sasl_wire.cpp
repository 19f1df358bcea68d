#include "parsers/sasl_wire.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <array>
#include <nlohmann/json.hpp>
#include <vector>

namespace contribd::sasl {
namespace {

// -1 for bytes outside the base64 alphabet.
int sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::string printable(std::string_view text) {
  std::string out;
  for (const char c : text.substr(0, kMaxShownError)) {
    const auto byte = static_cast<unsigned char>(c);
    out += (byte < 0x20 || byte == 0x7f) ? '?' : c;
  }
  if (text.size() > kMaxShownError) out += "...";
  return out;
}

std::string json_text(const nlohmann::json& object, const char* key) {
  const auto found = object.find(key);
  if (found == object.end()) return {};
  if (found->is_string()) return printable(found->get_ref<const std::string&>());
  // The parser accepted only valid UTF-8; replacing keeps dump() from ever throwing anyway.
  return printable(found->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::vector<unsigned char> encoded(4 * ((bytes.size() + 2) / 3) + 1);
  const int length =
      EVP_EncodeBlock(encoded.data(), reinterpret_cast<const unsigned char*>(bytes.data()),
                      static_cast<int>(bytes.size()));
  return std::string(reinterpret_cast<const char*>(encoded.data()),
                     static_cast<std::size_t>(length));
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    std::array<int, 4> values{};
    int padding = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const char c = text[i + k];
      if (c == '=' && last && k >= 2) {
        ++padding;
        values[k] = 0;
        continue;
      }
      if (padding > 0) return std::nullopt;  // data after '='
      values[k] = sextet(c);
      if (values[k] < 0) return std::nullopt;
    }
    const unsigned group =
        (static_cast<unsigned>(values[0]) << 18) | (static_cast<unsigned>(values[1]) << 12) |
        (static_cast<unsigned>(values[2]) << 6) | static_cast<unsigned>(values[3]);
    out += static_cast<char>((group >> 16) & 0xff);
    if (padding < 2) out += static_cast<char>((group >> 8) & 0xff);
    if (padding < 1) out += static_cast<char>(group & 0xff);
  }
  return out;
}

ServerError parse_server_error(std::string_view base64_challenge) {
  ServerError error;
  const auto decoded =
      base64_challenge.size() <= kMaxChallenge ? base64_decode(base64_challenge) : std::nullopt;
  if (!decoded) {
    error.raw = printable(base64_challenge);
    return error;
  }
  const nlohmann::json object = nlohmann::json::parse(*decoded, nullptr, false);
  if (!object.is_object()) {
    error.raw = printable(*decoded);
    return error;
  }
  error.status = json_text(object, "status");
  error.scope = json_text(object, "scope");
  error.openid_configuration = json_text(object, "openid-configuration");
  if (error.status.empty() && error.scope.empty()) error.raw = printable(*decoded);
  return error;
}

std::string describe(const ServerError& error) {
  std::string text;
  if (!error.status.empty()) text = "status " + error.status;
  if (!error.scope.empty()) {
    text += fmt::format("{}scope {}", text.empty() ? "" : ", ", error.scope);
  }
  if (text.empty()) text = error.raw;
  return text;
}

}  // namespace contribd::sasl
