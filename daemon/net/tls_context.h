// The TLS client context every outgoing connection uses (IMAP, SMTP, OAuth token endpoints):
// TLS 1.2 or later, the peer's certificate always verified, against the system's trusted
// CAs and, when given, an extra CA file.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <stdexcept>
#include <string>

namespace contribd::net {

// "cannot read CA file F: reason" / "cannot load CA file F: reason"; callers add the peer.
class TlsSetupError : public std::runtime_error {
 public:
  using runtime_error::runtime_error;
};

// The system's CAs are found through the hashed certificate folder (/etc/ssl/certs), looked up
// when a chain needs them, rather than by parsing the whole bundle for every connection; with
// SSL_CERT_FILE set, or no such folder, OpenSSL's default file and folder are loaded as usual.
boost::asio::ssl::context client_tls_context(const std::string& ca_file);

// Before the handshake: the certificate must name `host`. SNI carries DNS names only (RFC 6066
// section 3); an address is checked against the certificate's IP subjectAltName entries.
void verify_peer_name(SSL* handle, const std::string& host);

}  // namespace contribd::net
