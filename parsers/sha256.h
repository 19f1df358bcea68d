// SHA-256 of a byte string as contribd registers and reports it.
#pragma once

#include <string>
#include <string_view>

namespace contribd::mime {

// Lower-case hex SHA-256 (64 characters) of `bytes`, computed with OpenSSL EVP.
// Any input is valid, including empty and binary data; aborts only if OpenSSL cannot
// allocate a digest context (out of memory).
std::string sha256_hex(std::string_view bytes);

}  // namespace contribd::mime
