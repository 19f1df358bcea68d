// A zip of stored (uncompressed) members written in memory: a .docx around a piece of XML
// for the tests and the fuzz target of the cover-sheet reader.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace contribd::test {

inline std::uint32_t zip_crc32(std::string_view data) {
  std::uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char byte : data) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

inline void put_le(std::string& out, std::uint32_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

// Members in the order given, each with a local header and a central directory entry.
inline std::string stored_zip(const std::vector<std::pair<std::string, std::string>>& members) {
  std::string out;
  std::string directory;
  for (const auto& [name, data] : members) {
    const auto offset = static_cast<std::uint32_t>(out.size());
    const std::uint32_t crc = zip_crc32(data);
    const auto size = static_cast<std::uint32_t>(data.size());
    const auto name_size = static_cast<std::uint32_t>(name.size());
    put_le(out, 0x04034b50, 4);
    put_le(out, 20, 2);    // version needed
    put_le(out, 0, 2);     // flags
    put_le(out, 0, 2);     // stored
    put_le(out, 0, 2);     // time
    put_le(out, 0x21, 2);  // date: 1980-01-01
    put_le(out, crc, 4);
    put_le(out, size, 4);
    put_le(out, size, 4);
    put_le(out, name_size, 2);
    put_le(out, 0, 2);  // extra field
    out += name;
    out += data;
    put_le(directory, 0x02014b50, 4);
    put_le(directory, 20, 2);  // version made by
    put_le(directory, 20, 2);  // version needed
    put_le(directory, 0, 2);
    put_le(directory, 0, 2);
    put_le(directory, 0, 2);
    put_le(directory, 0x21, 2);
    put_le(directory, crc, 4);
    put_le(directory, size, 4);
    put_le(directory, size, 4);
    put_le(directory, name_size, 2);
    put_le(directory, 0, 2);  // extra field
    put_le(directory, 0, 2);  // comment
    put_le(directory, 0, 2);  // disk
    put_le(directory, 0, 2);  // internal attributes
    put_le(directory, 0, 4);  // external attributes
    put_le(directory, offset, 4);
    directory += name;
  }
  const auto directory_offset = static_cast<std::uint32_t>(out.size());
  out += directory;
  put_le(out, 0x06054b50, 4);
  put_le(out, 0, 2);
  put_le(out, 0, 2);
  put_le(out, static_cast<std::uint32_t>(members.size()), 2);
  put_le(out, static_cast<std::uint32_t>(members.size()), 2);
  put_le(out, static_cast<std::uint32_t>(directory.size()), 4);
  put_le(out, directory_offset, 4);
  put_le(out, 0, 2);  // comment
  return out;
}

// A .docx of one word/document.xml (and docProps/core.xml when given).
inline std::string docx_with(std::string document_xml, std::string core_xml = {}) {
  std::vector<std::pair<std::string, std::string>> members{
      {"word/document.xml", std::move(document_xml)}};
  if (!core_xml.empty()) members.emplace_back("docProps/core.xml", std::move(core_xml));
  return stored_zip(members);
}

}  // namespace contribd::test
