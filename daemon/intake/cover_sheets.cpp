#include "daemon/intake/cover_sheets.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

#include "daemon/json_optional.h"

namespace contribd {
namespace {

using Json = nlohmann::json;

constexpr std::array<std::pair<docx::DocxVerdict, std::string_view>, 4> kVerdictNames{{
    {docx::DocxVerdict::read, "read"},
    {docx::DocxVerdict::not_a_zip, "not_a_zip"},
    {docx::DocxVerdict::over_limit, "over_limit"},
    {docx::DocxVerdict::not_a_docx, "not_a_docx"},
}};

std::string verdict_name(docx::DocxVerdict verdict) {
  for (const auto& [value, name] : kVerdictNames) {
    if (value == verdict) return std::string(name);
  }
  return "not_a_zip";
}

docx::DocxVerdict verdict_of(const std::string& name) {
  for (const auto& [value, candidate] : kVerdictNames) {
    if (candidate == name) return value;
  }
  return docx::DocxVerdict::not_a_zip;
}

docx::DocxReading unreadable(const std::string& path, int error) {
  docx::DocxReading reading;
  reading.verdict = docx::DocxVerdict::not_a_zip;
  reading.problem = path + ": " + std::strerror(error);
  return reading;
}

// The spooled file mapped read-only for the time of the reading.
docx::DocxReading read_spooled(const std::string& path, const docx::DocxLimits& limits) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return unreadable(path, errno);
  struct stat status {};
  if (::fstat(fd, &status) != 0) {
    const int error = errno;
    ::close(fd);
    return unreadable(path, error);
  }
  const auto size = static_cast<std::size_t>(status.st_size);
  if (size == 0) {
    ::close(fd);
    return docx::read_cover_sheet({}, limits);
  }
  void* mapped = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  const int map_error = errno;
  ::close(fd);
  if (mapped == MAP_FAILED) return unreadable(path, map_error);
  docx::DocxReading reading =
      docx::read_cover_sheet(std::string_view(static_cast<const char*>(mapped), size), limits);
  ::munmap(mapped, size);
  return reading;
}

}  // namespace

void read_cover_sheets(mime::ParsedMessage& message, const docx::DocxLimits& limits) {
  for (mime::ExtractedFile& file : message.files) {
    if (!docx::looks_like_docx(file.filename, file.content_type)) continue;
    file.docx = file.spooled_path.empty() ? docx::read_cover_sheet(file.data, limits)
                                          : read_spooled(file.spooled_path, limits);
  }
}

Json docx_reading_to_json(const docx::DocxReading& reading) {
  const docx::CoverSheet& cover = reading.cover;
  Json contacts = Json::array();
  for (const auto& contact : cover.contacts) {
    contacts.push_back({contact.name, contact.organization, contact.country, contact.email});
  }
  return {{"verdict", verdict_name(reading.verdict)},
          {"problem", reading.problem},
          {"cover_table", cover.cover_table},
          {"source", json_or_null(cover.source)},
          {"title", json_or_null(cover.title)},
          {"purpose", json_or_null(cover.purpose)},
          {"keywords", json_or_null(cover.keywords)},
          {"abstract", json_or_null(cover.abstract)},
          {"contacts", contacts},
          {"core_title", json_or_null(cover.core_title)}};
}

docx::DocxReading docx_reading_from_json(const Json& json) {
  docx::DocxReading reading;
  reading.verdict = verdict_of(json.at("verdict").get<std::string>());
  reading.problem = json.at("problem").get<std::string>();
  docx::CoverSheet& cover = reading.cover;
  cover.cover_table = json.at("cover_table").get<bool>();
  cover.source = optional_string(json.at("source"));
  cover.title = optional_string(json.at("title"));
  cover.purpose = optional_string(json.at("purpose"));
  cover.keywords = optional_string(json.at("keywords"));
  cover.abstract = optional_string(json.at("abstract"));
  for (const auto& contact : json.at("contacts")) {
    cover.contacts.push_back({contact.at(0).get<std::string>(), contact.at(1).get<std::string>(),
                              contact.at(2).get<std::string>(), contact.at(3).get<std::string>()});
  }
  cover.core_title = optional_string(json.at("core_title"));
  return reading;
}

}  // namespace contribd
