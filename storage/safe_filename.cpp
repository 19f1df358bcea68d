#include "storage/safe_filename.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <cstdint>
#include <optional>

#include "parsers/ascii_text.h"
#include "parsers/utf8.h"

namespace contribd::storage {
namespace {

constexpr std::size_t max_extension_bytes = 16;  // ".docx", ".tar.gz" parts; more is a stem

// Characters that must not reach a file name: controls (C0, DEL, C1), the ones Windows
// refuses, and the bidi controls that make "gpj.exe" look like "exe.jpg".
bool is_unsafe(char32_t code) {
  if (code < 0x20 || (code >= 0x7F && code <= 0x9F)) return true;
  if (std::u32string_view(U"<>:\"|?*").find(code) != std::u32string_view::npos) return true;
  return code == 0x200E || code == 0x200F || (code >= 0x202A && code <= 0x202E) ||
         (code >= 0x2066 && code <= 0x2069);
}

std::string replace_unsafe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t start = pos;
    const char32_t code = next_code_point(text, pos);
    const bool malformed = code == kReplacementCharacter && pos - start == 1;
    if (malformed || is_unsafe(code)) {
      out += '_';
    } else {
      out.append(text.substr(start, pos - start));
    }
  }
  return out;
}

std::string_view trim_dots_and_spaces(std::string_view text) {
  const auto first = text.find_first_not_of(". ");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(". ");
  return text.substr(first, last - first + 1);
}

// CON, PRN, AUX, NUL, COM1-9, LPT1-9, with or without an extension, in any case.
bool is_windows_device_name(std::string_view name) {
  auto stem = ascii::lower(name.substr(0, name.find('.')));
  while (!stem.empty() && stem.back() == ' ') stem.pop_back();
  static constexpr std::array<std::string_view, 4> plain{"con", "prn", "aux", "nul"};
  for (auto device : plain) {
    if (stem == device) return true;
  }
  return stem.size() == 4 && (stem.starts_with("com") || stem.starts_with("lpt")) &&
         stem[3] >= '1' && stem[3] <= '9';
}

struct SplitName {
  std::string_view stem;
  std::string_view extension;  // with its dot, or empty
};

SplitName split_extension(std::string_view name) {
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || name.size() - dot > max_extension_bytes ||
      name.size() - dot < 2) {
    return {name, {}};
  }
  return {name.substr(0, dot), name.substr(dot)};
}

// Fits stem + suffix + extension into max_safe_name_bytes by shortening the stem.
std::string fit(std::string_view stem, std::string_view suffix, std::string_view extension) {
  const std::size_t room = max_safe_name_bytes - suffix.size() - extension.size();
  auto cut = std::string(trim_dots_and_spaces(utf8_prefix(stem, room)));
  if (cut.empty()) cut = "file";
  return cut + std::string(suffix) + std::string(extension);
}

std::string sanitize(std::string_view text) {
  const auto replaced = replace_unsafe(text);
  std::string name(trim_dots_and_spaces(replaced));
  if (name.empty()) return "file";
  if (is_windows_device_name(name)) name.insert(0, "_");
  if (name.size() <= max_safe_name_bytes) return name;
  const auto [stem, extension] = split_extension(name);
  return fit(stem, "", extension);
}

}  // namespace

std::string safe_filename(std::string_view decoded_name) {
  const auto separator = decoded_name.find_last_of("/\\");
  if (separator != std::string_view::npos) decoded_name.remove_prefix(separator + 1);
  return sanitize(decoded_name);
}

std::string safe_path_component(std::string_view text) {
  std::string flat(text);
  for (auto& c : flat) {
    if (c == '/' || c == '\\') c = '_';
  }
  return sanitize(flat);
}

std::string numbered_variant(std::string_view safe_name, int n) {
  const auto [stem, extension] = split_extension(safe_name);
  return fit(stem, fmt::format(" ({})", n), extension);
}

}  // namespace contribd::storage
