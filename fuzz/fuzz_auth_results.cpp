// libFuzzer target: an Authentication-Results value of arbitrary bytes must never crash, must
// respect the caps, and must keep no more text than it was given (the parse is one pass).
// Every property value also goes through the organizational-domain lookup, as the trust
// decision does with header.d and smtp.mailfrom.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "parsers/auth_results.h"
#include "parsers/organizational_domain.h"

namespace {

bool is_lower_keyword(std::string_view word) {
  if (word.empty()) return false;
  for (const char c : word) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace contribd::mime;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const AuthenticationResults parsed = parse_authentication_results(input);
  if (parsed.results.size() > kMaxAuthResults) std::abort();
  std::size_t kept = parsed.authserv_id.size() + parsed.version.size();
  for (const AuthResult& result : parsed.results) {
    if (!is_lower_keyword(result.method) || !is_lower_keyword(result.result)) std::abort();
    if (result.properties.size() > kMaxAuthProperties) std::abort();
    kept += result.method.size() + result.method_version.size() + result.result.size() +
            result.reason.size();
    for (const AuthProperty& property : result.properties) {
      if (!is_lower_keyword(property.ptype) || !is_lower_keyword(property.property)) std::abort();
      kept += property.ptype.size() + property.property.size() + property.value.size();
      const std::string organization = organizational_domain(property.value);
      if (organization.size() > property.value.size()) std::abort();
      if (!organization.empty() && !aligned_relaxed(property.value, organization)) std::abort();
    }
  }
  if (kept > size) std::abort();
  return 0;
}
