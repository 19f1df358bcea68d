#include "daemon/publish/published_paths.h"

#include <fmt/format.h>

#include <filesystem>

#include "storage/safe_filename.h"

namespace contribd::publish {
namespace {

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

}  // namespace

std::string meeting_folder(std::string_view meeting_id) {
  return storage::safe_path_component(meeting_id);
}

std::string published_name(const storage::StoredFile& file) {
  const std::string stored = std::filesystem::path(file.path).filename().string();
  return storage::safe_filename(stored.empty() ? file.filename : stored);
}

std::string published_file_path(const storage::DocumentNumber& document_number,
                                const storage::StoredFile& file, int revision) {
  std::string path = "files/" + storage::safe_path_component(document_number.text()) + "/";
  if (revision > 0) path += fmt::format("rev{}/", revision);
  return path + published_name(file);
}

std::string link_to(std::string_view relative_path) {
  std::string out;
  out.reserve(relative_path.size());
  for (const char c : relative_path) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '/' || is_unreserved(byte)) {
      out += c;
    } else {
      out += fmt::format("%{:02X}", byte);
    }
  }
  return out;
}

}  // namespace contribd::publish
