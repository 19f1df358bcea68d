// The credentials a section of the configuration describes, ready for a session: the password
// read from its file, or a cached token source built from [imap.oauth] / [smtp.oauth].
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "daemon/auth/credentials.h"
#include "daemon/config.h"

namespace contribd::auth {

// `section` is "imap" or "smtp". Reads the password, client secret and refresh token files now,
// so that a missing or empty one is a start-up error (ConfigError naming the key and file);
// fetches no token yet. Token errors later name the user name.
Credentials load_credentials(std::string_view section, const std::string& username,
                             const std::filesystem::path& password_file, const AuthConfig& config);

inline Credentials load_credentials(const ImapConfig& imap) {
  return load_credentials("imap", imap.username, imap.password_file, imap.auth);
}
inline Credentials load_credentials(const SmtpConfig& smtp) {
  return load_credentials("smtp", smtp.username, smtp.password_file, smtp.auth);
}

}  // namespace contribd::auth
