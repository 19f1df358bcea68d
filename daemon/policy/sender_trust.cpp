#include "daemon/policy/sender_trust.h"

#include <fmt/format.h>

#include <optional>

#include "parsers/ascii_text.h"
#include "parsers/auth_results.h"
#include "parsers/organizational_domain.h"

namespace contribd::policy {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

// A reason names at most this many findings; a forged field could carry a hundred.
constexpr std::size_t kMaxFindings = 4;

bool is_control(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7f;
}

// Domains and addresses come from strangers: the log gets them printable and short.
std::string for_log(std::string_view text) {
  constexpr std::size_t kMaxShown = 80;
  std::string out;
  for (const char c : text.substr(0, kMaxShown)) {
    out +=
        is_control(c) ? fmt::format("\\x{:02x}", static_cast<unsigned char>(c)) : std::string(1, c);
  }
  if (text.size() > kMaxShown) out += "...";
  return out;
}

// "x@Example.COM" and "Example.COM" both name the domain "example.com".
std::string domain_of(std::string_view address_or_domain) {
  const auto at = address_or_domain.rfind('@');
  if (at != std::string_view::npos) address_or_domain.remove_prefix(at + 1);
  return ascii::lower(address_or_domain);
}

// The domain a result vouches for, by the property DMARC aligns for that method; empty when
// the result names none.
std::string vouched_domain(const mime::AuthResult& result, std::string_view from_domain) {
  if (result.method == "dmarc") {
    const std::string* header_from = result.find("header", "from");
    return header_from ? domain_of(*header_from) : std::string(from_domain);
  }
  if (result.method == "dkim") {
    if (const std::string* signing_domain = result.find("header", "d")) {
      return domain_of(*signing_domain);
    }
    // Gmail names the signer only by header.i; its domain is d= or a subdomain of it.
    const std::string* identity = result.find("header", "i");
    return identity ? domain_of(*identity) : std::string();
  }
  const std::string* mail_from = result.find("smtp", "mailfrom");
  return mail_from ? domain_of(*mail_from) : std::string();
}

bool counts_for_trust(const mime::AuthResult& result) {
  return result.method == "dmarc" || result.method == "dkim" || result.method == "spf";
}

// What one dmarc, dkim or spf result says about the From domain, for the log.
struct Finding {
  bool authenticates = false;
  std::string text;
};

Finding judge(const mime::AuthResult& result, std::string_view from_domain) {
  const std::string domain = vouched_domain(result, from_domain);
  const std::string verdict = fmt::format("{}={}", result.method, for_log(result.result));
  if (domain.empty()) return {false, verdict + " names no domain"};
  if (result.result != "pass") return {false, fmt::format("{} for {}", verdict, for_log(domain))};
  if (!mime::aligned_relaxed(domain, from_domain)) {
    return {false, fmt::format("{} for {} is not aligned with {}", verdict, for_log(domain),
                               for_log(from_domain))};
  }
  return {true, fmt::format("{} for {}", verdict, for_log(domain))};
}

// The trusted field values, one per line, printable, within kMaxTrustEvidenceBytes.
class Evidence {
 public:
  void add(std::string_view value) {
    if (text_.size() + value.size() + 1 > kMaxTrustEvidenceBytes) {
      ++left_out_;
      return;
    }
    if (!text_.empty()) text_ += '\n';
    for (const char c : value) text_ += is_control(c) ? ' ' : c;
  }

  std::string take() {
    if (left_out_ > 0) text_ += fmt::format("\n({} more fields not kept)", left_out_);
    return std::move(text_);
  }

 private:
  std::string text_;
  std::size_t left_out_ = 0;
};

std::string joined(const std::vector<std::string>& findings) {
  std::string out;
  for (std::size_t i = 0; i < findings.size() && i < kMaxFindings; ++i) {
    if (i > 0) out += "; ";
    out += findings[i];
  }
  if (findings.size() > kMaxFindings) {
    out += fmt::format("; and {} more", findings.size() - kMaxFindings);
  }
  return out;
}

std::string no_trusted_field(std::string_view authserv_id, std::size_t foreign_fields) {
  std::string reason = fmt::format("no Authentication-Results from {}", for_log(authserv_id));
  if (foreign_fields > 0) {
    reason += fmt::format(" ({} from other servers ignored)", foreign_fields);
  }
  return reason;
}

}  // namespace

SenderTrust decide_sender_trust(std::string_view from_address, const Headers& headers,
                                std::string_view authserv_id) {
  SenderTrust trust;
  if (authserv_id.empty()) {
    trust.reason = "no authserv_id is configured to trust";
    return trust;
  }
  const auto at = from_address.rfind('@');
  const std::string from_domain = domain_of(from_address);
  if (at == std::string_view::npos || mime::organizational_domain(from_domain).empty()) {
    trust.reason = fmt::format("the From address {} has no domain", for_log(from_address));
    return trust;
  }

  Evidence evidence;
  std::size_t trusted_fields = 0;
  std::size_t foreign_fields = 0;
  std::optional<std::string> passed;
  std::vector<std::string> findings;
  for (const auto& [name, value] : headers) {
    if (!ascii::equals_ignoring_case(name, "Authentication-Results")) continue;
    const mime::AuthenticationResults field = mime::parse_authentication_results(value);
    if (!ascii::equals_ignoring_case(field.authserv_id, authserv_id)) {
      ++foreign_fields;
      continue;
    }
    ++trusted_fields;
    evidence.add(value);
    for (const mime::AuthResult& result : field.results) {
      if (!counts_for_trust(result)) continue;
      Finding finding = judge(result, from_domain);
      if (finding.authenticates && !passed) passed = std::move(finding.text);
      if (!finding.authenticates) findings.push_back(std::move(finding.text));
    }
  }

  trust.evidence = evidence.take();
  trust.authenticated = passed.has_value();
  if (passed) {
    trust.reason = std::move(*passed);
  } else if (trusted_fields == 0) {
    trust.reason = no_trusted_field(authserv_id, foreign_fields);
  } else if (findings.empty()) {
    trust.reason = fmt::format("no dmarc, dkim or spf result from {}", for_log(authserv_id));
  } else {
    trust.reason = joined(findings);
  }
  return trust;
}

std::string rate_limit_key(std::string_view address) {
  std::string key = ascii::lower(address);
  const auto at = key.rfind('@');
  if (at == std::string::npos) return key;
  const auto plus = key.find('+');
  if (plus == std::string::npos || plus == 0 || plus > at) return key;
  return key.erase(plus, at - plus);
}

}  // namespace contribd::policy
