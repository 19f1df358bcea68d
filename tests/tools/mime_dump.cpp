// mime_dump FILE...: one JSON object per line and message, as contribd sees it:
// {"file", "subject", "files": [{"filename", "content_type", "size", "sha256"}], "defects"}.
// An unreadable file gives {"file", "error"} and exit code 1 at the end.
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>

#include "parsers/mime_extract.h"

namespace {

nlohmann::json describe(const contribd::mime::ParsedMessage& message) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& file : message.files) {
    files.push_back({{"filename", file.filename},
                     {"content_type", file.content_type},
                     {"size", file.data.size()},
                     {"sha256", file.sha256_hex}});
  }
  return {{"subject", message.subject}, {"files", files}, {"defects", message.defects}};
}

}  // namespace

int main(int argc, char** argv) {
  int status = 0;
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    nlohmann::json line;
    if (!in) {
      line = {{"file", argv[i]}, {"error", "cannot read file"}};
      status = 1;
    } else {
      std::ostringstream bytes;
      bytes << in.rdbuf();
      line = describe(contribd::mime::extract_message(bytes.str()));
      line["file"] = argv[i];
    }
    // Replace, not throw, if a filename somehow held invalid UTF-8.
    std::cout << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  }
  return status;
}
