#include "parsers/sha256_stream.h"

#include <openssl/evp.h>

#include <array>
#include <cstdlib>

namespace contribd::mime {

namespace {

// These calls fail only when memory runs out; a wrong digest would be worse than a stop.
void check(int result) {
  if (result != 1) std::abort();
}

std::string to_hex(const unsigned char* bytes, unsigned int length) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kDigits[bytes[i] >> 4]);
    hex.push_back(kDigits[bytes[i] & 0x0f]);
  }
  return hex;
}

}  // namespace

void Sha256Stream::ContextFree::operator()(EVP_MD_CTX* context) const {
  EVP_MD_CTX_free(context);
}

Sha256Stream::Sha256Stream() : context_(EVP_MD_CTX_new()) {
  if (!context_) std::abort();
  check(EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr));
}

Sha256Stream::~Sha256Stream() = default;
Sha256Stream::Sha256Stream(Sha256Stream&&) noexcept = default;
Sha256Stream& Sha256Stream::operator=(Sha256Stream&&) noexcept = default;

void Sha256Stream::update(std::string_view bytes) {
  check(EVP_DigestUpdate(context_.get(), bytes.data(), bytes.size()));
}

std::string Sha256Stream::finish_hex() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  check(EVP_DigestFinal_ex(context_.get(), digest.data(), &length));
  check(EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr));
  return to_hex(digest.data(), length);
}

}  // namespace contribd::mime
