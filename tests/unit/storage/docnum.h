// Document numbers written in tests: docnum("QIT4N-I-007") for text known to be a well-formed
// number (std::bad_optional_access otherwise, failing the test).
#pragma once

#include <string_view>

#include "storage/document_number.h"

namespace contribd::storage::testing {

inline DocumentNumber docnum(std::string_view text) {
  return DocumentNumber::parse(text).value();
}

}  // namespace contribd::storage::testing
