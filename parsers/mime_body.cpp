#include "parsers/mime_body.h"

#include <fmt/format.h>
#include <gmime/gmime.h>

#include <memory>
#include <string_view>

#include "parsers/base64.h"

namespace contribd::mime {

namespace {

struct ObjectUnref {
  void operator()(void* object) const { g_object_unref(object); }
};
using StreamPtr = std::unique_ptr<GMimeStream, ObjectUnref>;

std::string bytes_of(GMimeStream* memory_stream) {
  GByteArray* array = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(memory_stream));
  if (array == nullptr || array->len == 0) return {};
  return std::string(reinterpret_cast<const char*>(array->data), array->len);
}

// The still-encoded body as it stands in the message, read straight into one buffer
// (a growing memory stream would copy a 70 MB body several times over).
std::string encoded_bytes(GMimeDataWrapper* content) {
  GMimeStream* source = g_mime_data_wrapper_get_stream(content);
  if (source == nullptr) return {};
  g_mime_stream_reset(source);
  const gint64 length = g_mime_stream_length(source);
  std::string bytes(length > 0 ? static_cast<std::size_t>(length) : 0, '\0');
  std::size_t filled = 0;
  while (filled < bytes.size()) {
    const gssize got = g_mime_stream_read(source, bytes.data() + filled, bytes.size() - filled);
    if (got <= 0) break;
    filled += static_cast<std::size_t>(got);
  }
  bytes.resize(filled);
  g_mime_stream_reset(source);
  return bytes;
}

// Decodes through GMime's filters into a memory stream sized for `expected_size` bytes.
std::string decoded_by_gmime(GMimeDataWrapper* content, std::size_t expected_size) {
  GByteArray* array = g_byte_array_sized_new(static_cast<guint>(expected_size + 16));
  StreamPtr memory(g_mime_stream_mem_new_with_byte_array(array));  // the stream owns it
  g_mime_data_wrapper_write_to_stream(content, memory.get());
  return bytes_of(memory.get());
}

std::size_t encoded_length(GMimeDataWrapper* content) {
  GMimeStream* source = g_mime_data_wrapper_get_stream(content);
  const gint64 length = source ? g_mime_stream_length(source) : 0;
  return length > 0 ? static_cast<std::size_t>(length) : 0;
}

bool has_base64_junk(std::string_view text) {
  for (unsigned char c : text) {
    const bool alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                          (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
    const bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
    if (!alphabet && !space) return true;
  }
  return false;
}

std::string decode_base64_part(GMimeDataWrapper* content, const std::string& where,
                               std::vector<std::string>& defects) {
  std::string encoded = encoded_bytes(content);
  // Nearly every attachment is well-formed: one pass decodes it. The rest is looked at closely.
  if (decode_base64_strict_in_place(encoded)) return encoded;
  encoded = encoded_bytes(content);  // overwritten by the attempt
  if (has_base64_junk(encoded)) {
    defects.push_back(fmt::format("{}: characters outside the base64 alphabet skipped", where));
  }
  if (!base64_lacks_padding(encoded)) return decoded_by_gmime(content, encoded.size() / 4 * 3);
  defects.push_back(fmt::format("{}: base64 without final padding", where));
  return decode_base64_lenient(encoded).bytes;
}

// The Content-Transfer-Encoding field as written, lower-case and trimmed, or "".
std::string declared_encoding(GMimePart* part) {
  const char* value = g_mime_object_get_header(GMIME_OBJECT(part), "Content-Transfer-Encoding");
  if (value == nullptr) return {};
  std::string text;
  for (const char* c = value; *c; ++c) {
    if (*c == ' ' || *c == '\t' || *c == '\r' || *c == '\n') continue;
    text.push_back(static_cast<char>(g_ascii_tolower(*c)));
  }
  return text;
}

}  // namespace

void note_unknown_encoding(GMimePart* part, const std::string& where,
                           std::vector<std::string>& defects) {
  if (g_mime_part_get_content_encoding(part) != GMIME_CONTENT_ENCODING_DEFAULT) return;
  const std::string declared = declared_encoding(part);
  if (declared.empty()) return;
  defects.push_back(fmt::format("{}: unknown Content-Transfer-Encoding \"{}\"; body taken as it is",
                                where, declared));
}

std::string decode_part_body(GMimePart* part, const std::string& where,
                             std::vector<std::string>& defects) {
  GMimeDataWrapper* content = g_mime_part_get_content(part);
  if (content == nullptr) return {};
  const GMimeContentEncoding encoding = g_mime_part_get_content_encoding(part);
  note_unknown_encoding(part, where, defects);
  if (encoding == GMIME_CONTENT_ENCODING_BASE64) {
    return decode_base64_part(content, where, defects);
  }
  return decoded_by_gmime(content, encoded_length(content));
}

}  // namespace contribd::mime
