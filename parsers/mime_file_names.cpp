#include "parsers/mime_file_names.h"

#include <fmt/format.h>

#include <array>
#include <utility>

#include "parsers/ascii_text.h"

namespace contribd::mime {

namespace {

struct TypeAndExtension {
  std::string_view type;
  std::string_view extension;
};

// The types contributions arrive in; everything else is ".bin".
constexpr std::array<TypeAndExtension, 18> kKnownTypes{{
    {"application/pdf", "pdf"},
    {"application/msword", "doc"},
    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"},
    {"application/vnd.ms-excel", "xls"},
    {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"},
    {"application/vnd.ms-powerpoint", "ppt"},
    {"application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"},
    {"application/zip", "zip"},
    {"application/gzip", "gz"},
    {"application/rtf", "rtf"},
    {"application/xml", "xml"},
    {"application/json", "json"},
    {"application/ms-tnef", "dat"},
    {"image/png", "png"},
    {"image/jpeg", "jpg"},
    {"image/gif", "gif"},
    {"text/plain", "txt"},
    {"text/html", "html"},
}};

}  // namespace

std::string name_for_nameless(std::string_view mime_type, int ordinal) {
  std::string_view extension = "bin";
  const std::string type = ascii::lower(mime_type);
  for (const TypeAndExtension& known : kKnownTypes) {
    if (known.type == type) extension = known.extension;
  }
  if (ordinal <= 1) return fmt::format("attachment.{}", extension);
  return fmt::format("attachment-{}.{}", ordinal, extension);
}

std::string content_type_for_filename(std::string_view filename) {
  const std::size_t dot = filename.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  const std::string extension = ascii::lower(filename.substr(dot + 1));
  for (const TypeAndExtension& known : kKnownTypes) {
    if (known.extension == extension) return std::string(known.type);
  }
  if (extension == "jpeg") return "image/jpeg";
  if (extension == "txt") return "text/plain";
  return "application/octet-stream";
}

std::string percent_encode_cid(std::string_view content_id) {
  std::string out;
  for (unsigned char c : content_id) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '@' || c == '.' || c == '-' || c == '_' || c == '~';
    if (plain) {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02x}", c);
    }
  }
  return out;
}

}  // namespace contribd::mime
