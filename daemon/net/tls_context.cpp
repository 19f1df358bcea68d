#include "daemon/net/tls_context.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace contribd::net {
namespace {

namespace ssl = boost::asio::ssl;

std::string reason_of(const boost::system::error_code& ec) {
  if (ec.category() == boost::asio::error::get_ssl_category()) {
    if (const char* reason = ERR_reason_error_string(static_cast<unsigned long>(ec.value()))) {
      return reason;
    }
  }
  return ec.message();
}

// The folder OpenSSL would search (SSL_CERT_DIR or its built-in default), when it exists and no
// single bundle file was asked for.
bool trust_system_folder(ssl::context& context) {
  if (std::getenv(X509_get_default_cert_file_env()) != nullptr) return false;
  const char* from_env = std::getenv(X509_get_default_cert_dir_env());
  const std::string folder = from_env != nullptr ? from_env : X509_get_default_cert_dir();
  std::error_code error;
  if (folder.find(':') != std::string::npos || !std::filesystem::is_directory(folder, error)) {
    return false;
  }
  return SSL_CTX_load_verify_dir(context.native_handle(), folder.c_str()) == 1;
}

void trust_ca_file(ssl::context& context, const std::string& ca_file) {
  // Checked here because OpenSSL's own message for a missing file names neither it nor errno.
  std::ifstream probe(ca_file);
  if (!probe) {
    throw TlsSetupError(fmt::format("cannot read CA file {}: {}", ca_file, std::strerror(errno)));
  }
  boost::system::error_code ec;
  context.load_verify_file(ca_file, ec);
  if (ec) throw TlsSetupError(fmt::format("cannot load CA file {}: {}", ca_file, reason_of(ec)));
}

bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

ssl::context client_tls_context(const std::string& ca_file) {
  ssl::context context(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
  context.set_options(ssl::context::default_workarounds | ssl::context::no_compression);
  if (!trust_system_folder(context)) context.set_default_verify_paths();
  if (!ca_file.empty()) trust_ca_file(context, ca_file);
  context.set_verify_mode(ssl::verify_peer);
  return context;
}

void verify_peer_name(SSL* handle, const std::string& host) {
  X509_VERIFY_PARAM* param = SSL_get0_param(handle);
  if (is_ip_literal(host)) {
    X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  } else {
    SSL_set_tlsext_host_name(handle, host.c_str());
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
  }
}

}  // namespace contribd::net
