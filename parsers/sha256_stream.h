// SHA-256 over bytes that arrive in pieces (a message body read from the network, a file
// decoded in chunks); the same digest as sha256_hex() of the whole.
#pragma once

#include <memory>
#include <string>
#include <string_view>

typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace contribd::mime {

class Sha256Stream {
 public:
  Sha256Stream();  // aborts only when OpenSSL cannot allocate a digest context
  ~Sha256Stream();
  Sha256Stream(Sha256Stream&&) noexcept;
  Sha256Stream& operator=(Sha256Stream&&) noexcept;

  void update(std::string_view bytes);
  // Lower-case hex of everything given so far; the stream then starts again from nothing.
  std::string finish_hex();

 private:
  struct ContextFree {
    void operator()(EVP_MD_CTX* context) const;
  };
  std::unique_ptr<EVP_MD_CTX, ContextFree> context_;
};

}  // namespace contribd::mime
