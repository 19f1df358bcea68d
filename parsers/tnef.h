// The files inside an Outlook TNEF container (application/ms-tnef, "winmail.dat").
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace contribd::mime {

struct TnefFile {
  std::string filename;  // UTF-8 (long filename when present, else the 8.3 title)
  std::string data;
};

struct TnefContents {
  bool decoded = false;  // false: not TNEF or too damaged; the caller keeps winmail.dat
  std::vector<TnefFile> files;
  std::vector<std::string> defects;
};

// Decodes `bytes` with libytnef. Bad signature or a parse error gives decoded == false and a
// defect; an attachment without data is skipped with a defect; a nameless one is named
// "attachment-N.bin". Never throws.
TnefContents extract_tnef(std::string_view bytes);

}  // namespace contribd::mime
