#include "parsers/tnef.h"

#include <fmt/format.h>

// libytnef's header declares C functions without extern "C".
extern "C" {
#include <ytnef.h>
}

#include <cstring>
#include <optional>

#include "parsers/charset.h"

namespace contribd::mime {

namespace {

constexpr std::size_t kTnefSignatureSize = 4;
// An attached OLE object starts with a 16-byte interface id before the file bytes.
constexpr int kObjectHeaderSize = 16;

bool found(const variableLength* property) {
  return property != MAPI_UNDEFINED && property != nullptr && property->data != nullptr &&
         property->size > 0;
}

// TNEF 8-bit strings end with NUL; UTF-16 ones with two.
std::string string8(const variableLength& value, std::vector<std::string>& defects) {
  std::string_view text(reinterpret_cast<const char*>(value.data),
                        static_cast<std::size_t>(value.size));
  if (auto nul = text.find('\0'); nul != std::string_view::npos) text = text.substr(0, nul);
  return undeclared_to_utf8(text, defects);
}

std::string unicode(const variableLength& value, std::vector<std::string>& defects) {
  std::string_view text(reinterpret_cast<const char*>(value.data),
                        static_cast<std::size_t>(value.size));
  std::string utf8 = charset_to_utf8(text, "UTF-16LE", defects);
  if (auto nul = utf8.find('\0'); nul != std::string::npos) utf8.resize(nul);
  return utf8;
}

std::string attachment_name(Attachment& attachment, std::vector<std::string>& defects) {
  MAPIProps* props = &attachment.MAPI;
  if (const variableLength* name =
          MAPIFindProperty(props, PROP_TAG(PT_UNICODE, PR_ATTACH_LONG_FILENAME));
      found(name)) {
    return unicode(*name, defects);
  }
  if (const variableLength* name =
          MAPIFindProperty(props, PROP_TAG(PT_STRING8, PR_ATTACH_LONG_FILENAME));
      found(name)) {
    return string8(*name, defects);
  }
  if (found(&attachment.Title)) return string8(attachment.Title, defects);
  return "";
}

std::optional<std::string> attachment_data(Attachment& attachment) {
  const variableLength* object =
      MAPIFindProperty(&attachment.MAPI, PROP_TAG(PT_OBJECT, PR_ATTACH_DATA_OBJ));
  if (found(object) && object->size > kObjectHeaderSize) {
    return std::string(reinterpret_cast<const char*>(object->data) + kObjectHeaderSize,
                       static_cast<std::size_t>(object->size - kObjectHeaderSize));
  }
  if (attachment.FileData.data != nullptr && attachment.FileData.size >= 0) {
    return std::string(reinterpret_cast<const char*>(attachment.FileData.data),
                       static_cast<std::size_t>(attachment.FileData.size));
  }
  return std::nullopt;
}

bool has_tnef_signature(std::string_view bytes) {
  constexpr unsigned char kSignature[] = {0x78, 0x9f, 0x3e, 0x22};  // 0x223E9F78, little-endian
  return bytes.size() >= kTnefSignatureSize &&
         std::memcmp(bytes.data(), kSignature, kTnefSignatureSize) == 0;
}

struct TnefRecords {
  std::optional<std::string> problem;
  std::size_t attachments = 0;
};

// Walks the attribute records (level, id, length, data, checksum) after the 6-byte
// signature and key, counting the attachments (each starts with attAttachRenddata). libytnef
// prints to stdout on a bad checksum and reads on after a truncated record; a container that
// fails here is kept as it is instead.
TnefRecords walk_tnef_records(std::string_view bytes) {
  constexpr std::size_t kHeaderSize = 6;
  constexpr std::size_t kRecordOverhead = 1 + 4 + 4 + 2;
  constexpr unsigned kAttachRenddata = 0x9002;  // the low half of attAttachRenddata
  TnefRecords records;
  std::size_t offset = kHeaderSize;
  const auto u8 = [&](std::size_t at) { return static_cast<unsigned char>(bytes[at]); };
  while (offset < bytes.size()) {
    if (bytes.size() - offset < kRecordOverhead) return {"truncated attribute header", 0};
    const unsigned id_low = u8(offset + 1) | (u8(offset + 2) << 8);
    const std::size_t length = u8(offset + 5) | (u8(offset + 6) << 8) | (u8(offset + 7) << 16) |
                               (static_cast<std::size_t>(u8(offset + 8)) << 24);
    const std::size_t data_start = offset + 9;
    if (length > bytes.size() - data_start - 2) return {"attribute longer than the data", 0};
    unsigned checksum = 0;
    for (std::size_t i = data_start; i < data_start + length; ++i) checksum += u8(i);
    const unsigned stored = u8(data_start + length) | (u8(data_start + length + 1) << 8);
    if ((checksum & 0xFFFF) != stored) return {"attribute checksum mismatch", 0};
    if (id_low == kAttachRenddata) ++records.attachments;
    offset = data_start + length + 2;
  }
  return records;
}

}  // namespace

TnefContents extract_tnef(std::string_view bytes, std::size_t max_files) {
  TnefContents contents;
  if (bytes.size() < kTnefSignatureSize) {
    contents.defects.push_back("TNEF data too short to hold a signature");
    return contents;
  }
  if (!has_tnef_signature(bytes)) {
    // Checked here because libytnef prints its own complaint to stdout.
    contents.defects.push_back("not TNEF data (no TNEF signature)");
    return contents;
  }
  const TnefRecords records = walk_tnef_records(bytes);
  if (records.problem) {
    contents.defects.push_back("TNEF data damaged: " + *records.problem);
    return contents;
  }
  if (records.attachments > max_files) {
    contents.too_many_files = true;
    contents.defects.push_back(
        fmt::format("TNEF data holds {} attachments, more than {}; none decoded",
                    records.attachments, max_files));
    return contents;
  }
  TNEFStruct tnef;
  TNEFInitialize(&tnef);
  tnef.Debug = 0;  // TNEFInitialize leaves it unset; non-zero makes libytnef print a trace
  // libytnef reads from the buffer only; the cast drops a const it never uses.
  std::string copy(bytes);
  const int rc =
      TNEFParseMemory(reinterpret_cast<BYTE*>(copy.data()), static_cast<long>(copy.size()), &tnef);
  if (rc != 0) {
    contents.defects.push_back(
        fmt::format("TNEF data could not be decoded (libytnef error {})", rc));
    TNEFFree(&tnef);
    return contents;
  }
  contents.decoded = true;
  int index = 0;
  for (Attachment* attachment = tnef.starting_attach.next; attachment != nullptr;
       attachment = attachment->next) {
    ++index;
    std::optional<std::string> data = attachment_data(*attachment);
    if (!data) {
      contents.defects.push_back(fmt::format("TNEF attachment {} has no data; skipped", index));
      continue;
    }
    std::string name = attachment_name(*attachment, contents.defects);
    if (name.empty()) name = fmt::format("attachment-{}.bin", index);
    contents.files.push_back({std::move(name), std::move(*data)});
  }
  TNEFFree(&tnef);
  return contents;
}

}  // namespace contribd::mime
