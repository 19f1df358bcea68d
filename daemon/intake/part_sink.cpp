#include "daemon/intake/part_sink.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace contribd {
namespace {

constexpr std::string_view kPrefix = "part-";

}  // namespace

PartSink::~PartSink() {
  for (const Target& target : created_) {
    if (target.fd >= 0) ::close(target.fd);
    ::unlink(target.name.c_str());  // gone already once the file store renamed it
  }
}

void PartSink::adopt(std::string name) {
  created_.push_back({-1, std::move(name)});
}

void PartSink::release() {
  for (Target& target : created_) {
    if (target.fd >= 0) ::close(target.fd);
  }
  created_.clear();
}

mime::FileSink::Target PartSink::create() {
  std::string name = (folder_ / kPrefix).string() + "XXXXXX";
  if (!created_.empty() && created_.back().fd >= 0) {
    ::close(created_.back().fd);
    created_.back().fd = -1;
  }
  const int fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) {
    throw std::system_error(errno, std::generic_category(),
                            "spool folder " + folder_.string() + ": create a part file");
  }
  created_.push_back({fd, name});
  return created_.back();
}

void PartSink::discard(const Target& target) {
  ::unlink(target.name.c_str());
}

void PartSink::remove_stale(const std::filesystem::path& folder) {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
    if (entry.path().filename().string().starts_with(kPrefix)) {
      std::filesystem::remove(entry.path(), error);
    }
  }
}

}  // namespace contribd
