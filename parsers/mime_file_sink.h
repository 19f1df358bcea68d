// Where the streaming extraction (extract_message_from_file) puts decoded files, so that a
// large attachment is never held in memory: the caller hands out files, the extractor
// writes each one through its descriptor.
#pragma once

#include <string>

namespace contribd::mime {

class FileSink {
 public:
  struct Target {
    int fd = -1;       // open for reading and writing, empty, owned by the sink; valid until
                       // the next create() (files are written one at a time)
    std::string name;  // how the caller finds the file again (ExtractedFile::spooled_path)
  };

  virtual ~FileSink() = default;
  // A fresh empty file. May throw (e.g. std::system_error when the disk is full); the
  // extraction then stops and the exception reaches extract_message_from_file's caller.
  virtual Target create() = 0;
  // The file turned out not to be one (a nameless empty part): forget it.
  virtual void discard(const Target& target) = 0;
};

}  // namespace contribd::mime
