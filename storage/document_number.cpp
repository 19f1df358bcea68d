#include "storage/document_number.h"

#include <fmt/format.h>

#include <stdexcept>

namespace contribd::storage {

std::string format_document_number(std::string_view prefix, std::int64_t number) {
  if (number < 0) {
    throw std::invalid_argument(
        fmt::format("document number {} for prefix \"{}\" is negative", number, prefix));
  }
  return fmt::format("{}{:03}", prefix, number);
}

}  // namespace contribd::storage
