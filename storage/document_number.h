// Document numbers: the meeting's prefix followed by the number, at least three digits wide,
// as the group's series is written ("QIT4N-I-007", "QIT4N-I-1234").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace contribd::storage {

// Throws std::invalid_argument for a negative number (numbers start at first_number >= 0).
std::string format_document_number(std::string_view prefix, std::int64_t number);

}  // namespace contribd::storage
