#include "parsers/sha256.h"

#include "parsers/sha256_stream.h"

namespace contribd::mime {

std::string sha256_hex(std::string_view bytes) {
  Sha256Stream sha256;
  sha256.update(bytes);
  return sha256.finish_hex();
}

}  // namespace contribd::mime
