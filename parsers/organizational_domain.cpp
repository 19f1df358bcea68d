#include "parsers/organizational_domain.h"

#include <libpsl.h>

#include <cstddef>
#include <optional>

namespace contribd::mime {
namespace {

constexpr std::size_t kMaxHostNameLength = 253;
constexpr std::size_t kMaxLabelLength = 63;

bool is_host_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// Lower-cased, without one trailing dot; nullopt when `host` is not a host name.
std::optional<std::string> normalized_host_name(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.empty() || host.size() > kMaxHostNameLength) return std::nullopt;
  std::string name;
  name.reserve(host.size());
  std::size_t label_length = 0;
  for (const char original : host) {
    const char c =
        (original >= 'A' && original <= 'Z') ? static_cast<char>(original + 32) : original;
    if (c == '.') {
      if (label_length == 0) return std::nullopt;
      label_length = 0;
    } else if (!is_host_name_char(c) || ++label_length > kMaxLabelLength) {
      return std::nullopt;
    }
    name += c;
  }
  if (label_length == 0) return std::nullopt;
  return name;
}

}  // namespace

std::string organizational_domain(std::string_view host) {
  const std::optional<std::string> name = normalized_host_name(host);
  if (!name) return {};
  // psl_builtin() is a static, read-only list: safe to share between threads.
  const char* registrable = psl_registrable_domain(psl_builtin(), name->c_str());
  // libpsl gives no registrable domain for a public suffix itself; DMARC implementations
  // then treat the name as its own organization.
  return registrable ? std::string(registrable) : *name;
}

bool aligned_relaxed(std::string_view domain_a, std::string_view domain_b) {
  const std::string organization_a = organizational_domain(domain_a);
  return !organization_a.empty() && organization_a == organizational_domain(domain_b);
}

}  // namespace contribd::mime
