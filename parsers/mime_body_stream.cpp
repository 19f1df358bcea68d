#include "parsers/mime_body_stream.h"

#include <fmt/format.h>
#include <gmime/gmime.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <memory>
#include <string_view>
#include <system_error>

#include "parsers/base64.h"
#include "parsers/mime_body.h"
#include "parsers/sha256_stream.h"

namespace contribd::mime {

namespace {

constexpr std::size_t kChunk = 256 * 1024;

struct ObjectUnref {
  void operator()(void* object) const { g_object_unref(object); }
};
using StreamPtr = std::unique_ptr<GMimeStream, ObjectUnref>;

[[noreturn]] void fail(const char* what) {
  throw std::system_error(errno ? errno : EIO, std::generic_category(),
                          std::string("decoded part: ") + what);
}

// The whole encoded text, read in pieces and counted for stream_part_body()'s decisions.
Base64Census census_of(GMimeStream* source) {
  Base64Census census;
  std::string chunk(kChunk, '\0');
  g_mime_stream_reset(source);
  for (;;) {
    const gssize got = g_mime_stream_read(source, chunk.data(), chunk.size());
    if (got <= 0) break;
    census.add(std::string_view(chunk.data(), static_cast<std::size_t>(got)));
  }
  g_mime_stream_reset(source);
  return census;
}

std::string encoded_bytes(GMimeStream* source) {
  std::string bytes;
  std::string chunk(kChunk, '\0');
  g_mime_stream_reset(source);
  for (;;) {
    const gssize got = g_mime_stream_read(source, chunk.data(), chunk.size());
    if (got <= 0) break;
    bytes.append(chunk.data(), static_cast<std::size_t>(got));
  }
  g_mime_stream_reset(source);
  return bytes;
}

void write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) fail("write");
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
}

std::uint64_t written_size(int fd) {
  struct stat status {};
  if (::fstat(fd, &status) != 0) fail("stat");
  return static_cast<std::uint64_t>(status.st_size);
}

// GMime's decoders, writing through a stream on a duplicate of `fd` that ends after
// `max_bytes` + 1 bytes: GMime's write fails there, which is how a part too large is told
// from a failing disk. True when the part fits.
bool decode_with_gmime(GMimeDataWrapper* content, int fd, std::uint64_t max_bytes) {
  const int own = ::dup(fd);
  if (own < 0) fail("dup");
  const gint64 bound = static_cast<gint64>(std::min<std::uint64_t>(max_bytes + 1, INT64_MAX));
  StreamPtr file(g_mime_stream_fs_new_with_bounds(own, 0, bound));  // closes `own`
  const bool written = g_mime_data_wrapper_write_to_stream(content, file.get()) >= 0 &&
                       g_mime_stream_flush(file.get()) == 0;
  if (written) return true;
  if (written_size(fd) > max_bytes) return false;
  fail("write");
}

StreamedBody hash_back(int fd) {
  StreamedBody body;
  Sha256Stream sha256;
  std::string chunk(kChunk, '\0');
  for (;;) {
    const ssize_t got = ::pread(fd, chunk.data(), chunk.size(), static_cast<off_t>(body.size));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) fail("read back");
    if (got == 0) break;
    sha256.update(std::string_view(chunk.data(), static_cast<std::size_t>(got)));
    body.size += static_cast<std::uint64_t>(got);
  }
  body.sha256_hex = sha256.finish_hex();
  return body;
}

}  // namespace

StreamedBody stream_part_body(GMimePart* part, const std::string& where,
                              std::vector<std::string>& defects, int fd, std::uint64_t max_bytes) {
  GMimeDataWrapper* content = g_mime_part_get_content(part);
  if (content == nullptr) return hash_back(fd);
  const GMimeContentEncoding encoding = g_mime_part_get_content_encoding(part);
  note_unknown_encoding(part, where, defects);
  GMimeStream* source = g_mime_data_wrapper_get_stream(content);
  if (encoding == GMIME_CONTENT_ENCODING_BASE64 && source != nullptr) {
    const Base64Census census = census_of(source);
    if (census.junk) {
      defects.push_back(fmt::format("{}: characters outside the base64 alphabet skipped", where));
    }
    if (census.lacks_padding()) {
      defects.push_back(fmt::format("{}: base64 without final padding", where));
      const std::string decoded = decode_base64_lenient(encoded_bytes(source)).bytes;
      if (decoded.size() > max_bytes) return {0, "", true};
      write_all(fd, decoded);
      return hash_back(fd);
    }
  }
  if (!decode_with_gmime(content, fd, max_bytes)) return {0, "", true};
  return hash_back(fd);
}

}  // namespace contribd::mime
