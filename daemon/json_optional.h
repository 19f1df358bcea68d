// An optional text in JSON (and CBOR): null when absent, a string otherwise.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace contribd {

inline nlohmann::json json_or_null(const std::optional<std::string>& text) {
  return text ? nlohmann::json(*text) : nlohmann::json(nullptr);
}

// Throws nlohmann::json::exception when the value is neither null nor a string.
inline std::optional<std::string> optional_string(const nlohmann::json& value) {
  if (value.is_null()) return std::nullopt;
  return value.get<std::string>();
}

}  // namespace contribd
