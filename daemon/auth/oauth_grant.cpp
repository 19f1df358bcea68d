#include "daemon/auth/oauth_grant.h"

#include <fmt/format.h>

#include <charconv>
#include <nlohmann/json.hpp>

namespace contribd::auth {
namespace {

constexpr std::size_t kMaxShown = 300;

bool is_unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// Provider text as it may appear in one log line: CR/LF and tabs become spaces, other control
// bytes '?', at most kMaxShown bytes.
std::string one_line(std::string_view text) {
  std::string out;
  for (const char c : text.substr(0, kMaxShown)) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\r' || c == '\n' || c == '\t') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += (byte < 0x20 || byte == 0x7f) ? '?' : c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (text.size() > kMaxShown) out += "...";
  return out;
}

std::string string_field(const nlohmann::json& object, const char* key) {
  const auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

std::optional<std::chrono::seconds> seconds_field(const nlohmann::json& object, const char* key) {
  const auto found = object.find(key);
  if (found == object.end()) return std::nullopt;
  if (found->is_number())
    return std::chrono::seconds(static_cast<std::int64_t>(found->get<double>()));
  if (found->is_string()) {  // some providers quote it
    const std::string text = found->get<std::string>();
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc() && end == text.data() + text.size()) return std::chrono::seconds(value);
  }
  return std::nullopt;
}

}  // namespace

std::string form_encode(std::string_view value) {
  std::string out;
  for (const char c : value) {
    if (is_unreserved(c)) {
      out += c;
    } else if (c == ' ') {
      out += '+';
    } else {
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    }
  }
  return out;
}

std::string form_body(const GrantRequest& request) {
  std::string body;
  const auto add = [&](std::string_view key, std::string_view value) {
    if (!body.empty()) body += '&';
    body += key;
    body += '=';
    body += form_encode(value);
  };
  if (request.grant == Grant::client_credentials) {
    add("grant_type", "client_credentials");
  } else {
    add("grant_type", "refresh_token");
    add("refresh_token", request.refresh_token);
  }
  add("client_id", request.client_id);
  if (!request.client_secret.empty()) add("client_secret", request.client_secret);
  if (!request.scope.empty()) add("scope", request.scope);
  return body;
}

std::variant<HttpsUrl, std::string> parse_https_url(std::string_view url) {
  constexpr std::string_view kScheme = "https://";
  if (url.size() < kScheme.size() || std::string(url.substr(0, kScheme.size())) != kScheme) {
    return std::string("must start with https://");
  }
  std::string_view rest = url.substr(kScheme.size());
  if (rest.find('#') != std::string_view::npos) return std::string("must not have a fragment");
  const std::size_t path_start = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_start);
  HttpsUrl parsed;
  parsed.target = path_start == std::string_view::npos ? "/" : std::string(rest.substr(path_start));
  if (parsed.target.front() == '?') parsed.target = "/" + parsed.target;
  if (authority.find('@') != std::string_view::npos) {
    return std::string("must not carry a user name or password");
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::string("has an unclosed '[' in its host");
    parsed.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::string("has bytes after its IPv6 address");
      port_text = after.substr(1);
    }
  } else {
    const std::size_t colon = authority.rfind(':');
    parsed.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (parsed.host.empty()) return std::string("has no host");
  if (!port_text.empty()) {
    unsigned port = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return std::string("has an invalid port");
    }
    parsed.port = static_cast<std::uint16_t>(port);
  }
  return parsed;
}

std::string microsoft_token_url(std::string_view tenant) {
  return fmt::format("https://login.microsoftonline.com/{}/oauth2/v2.0/token", form_encode(tenant));
}

std::variant<IssuedToken, std::string> parse_token_response(unsigned http_status,
                                                            std::string_view body) {
  const nlohmann::json object = nlohmann::json::parse(body, nullptr, false);
  if (!object.is_object()) {
    const std::string excerpt = one_line(body);
    return fmt::format("HTTP {}: the answer is not a JSON object{}{}", http_status,
                       excerpt.empty() ? "" : ": ", excerpt);
  }
  const std::string error = string_field(object, "error");
  if (http_status != 200 || !error.empty()) {
    const std::string description = string_field(object, "error_description");
    return fmt::format("HTTP {}: {}{}{}", http_status,
                       error.empty() ? "no error code given" : one_line(error),
                       description.empty() ? "" : ": ", one_line(description));
  }
  IssuedToken token;
  token.value = string_field(object, "access_token");
  if (token.value.empty()) return std::string("HTTP 200: the answer holds no access_token");
  const std::string type = string_field(object, "token_type");
  if (!type.empty() && type != "Bearer" && type != "bearer") {
    return fmt::format("HTTP 200: token_type is \"{}\", not Bearer", one_line(type));
  }
  token.lifetime = seconds_field(object, "expires_in");
  return token;
}

}  // namespace contribd::auth
