// The files inside an Outlook TNEF container (application/ms-tnef, "winmail.dat").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace contribd::mime {

struct TnefFile {
  std::string filename;  // UTF-8 (long filename when present, else the 8.3 title)
  std::string data;
};

struct TnefContents {
  bool decoded = false;         // false: not TNEF or too damaged; the caller keeps winmail.dat
  bool too_many_files = false;  // more than max_files attachments: none decoded
  std::vector<TnefFile> files;
  std::vector<std::string> defects;
};

// Decodes `bytes` with libytnef. Bad signature or a parse error gives decoded == false and a
// defect; an attachment without data is skipped with a defect; a nameless one is named
// "attachment-N.bin". The attachments are counted on the raw records first: more than
// `max_files` gives too_many_files (and decoded == false) before libytnef spends memory on
// them. Never throws.
TnefContents extract_tnef(std::string_view bytes, std::size_t max_files);

}  // namespace contribd::mime
