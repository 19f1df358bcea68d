#include "parsers/sasl_wire.h"

#include <fmt/format.h>

#include <array>
#include <nlohmann/json.hpp>
#include <vector>

#include "parsers/base64.h"

namespace contribd::sasl {
namespace {

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

ServerError parse_server_error(std::string_view base64_challenge) {
  ServerError error;
  const auto decoded =
      base64_challenge.size() <= kMaxChallenge ? decode_base64(base64_challenge) : std::nullopt;
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
