// Bytes from strangers (servers, mail headers, folder names) as they may appear in a log line
// or an error message: one line, bounded, no control characters. Bytes from 0x80 up pass
// unchanged, so UTF-8 stays readable; what goes to a terminal is escaped further by
// terminal_text.h.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace contribd {

enum class ControlShown {
  question_mark,  // "a?b": short, for messages that only need to stay on one line
  hex_escape,     // "a\x0db": for the log of a decision, where the exact byte matters
};

// At most `max_bytes` of `text`, with "..." after a cut; C0 controls and DEL shown as `shown`.
std::string printable(std::string_view text, std::size_t max_bytes = 200,
                      ControlShown shown = ControlShown::question_mark);

// The same without a limit, appended to `out`.
void append_printable(std::string& out, std::string_view text,
                      ControlShown shown = ControlShown::question_mark);

}  // namespace contribd
