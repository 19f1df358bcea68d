#include "parsers/mime_message.h"

#include <strings.h>

namespace contribd::mime {

std::optional<std::string> ParsedMessage::header(std::string_view name) const {
  for (const HeaderField& field : headers) {
    if (field.name.size() == name.size() &&
        strncasecmp(field.name.data(), name.data(), name.size()) == 0) {
      return field.value;
    }
  }
  return std::nullopt;
}

}  // namespace contribd::mime
