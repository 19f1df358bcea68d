// The body texts of replies: built-in English texts, or UTF-8 files with named placeholders
// ({document_number}, {files} ...). Files are checked when loaded, so that a mistake in a
// template is a configuration error at start rather than a reply that cannot be written.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "daemon/config.h"

namespace contribd::reply {

struct Templates {
  std::string ack;  // LF line ends, placeholders unresolved
  std::string late;
  std::string ack_source;  // "built-in" or the file's path, for error messages
  std::string late_source;
};

// {document_number} {meeting_id} {meeting_title} {received} {received_utc} {received_local}
// {deadline} {deadline_utc} {deadline_local} {files} {subject} {sender} {duplicate_note}
// {title} {source} {template_note} (the document's cover sheet, SPEC step 10);
// {received} and {deadline} are UTC, followed by the meeting's local time when it has a zone.
bool is_known_placeholder(std::string_view name);

Templates builtin_templates();

// Reads the two files (an empty path keeps the built-in text). Throws std::invalid_argument
// naming the file for an unreadable file, invalid UTF-8, or an unknown placeholder.
Templates load_templates(const std::filesystem::path& ack, const std::filesystem::path& late);

// The templates a configuration names ([replies] ack_template, late_template), as the daemon,
// SIGHUP and check-config load them. Throws ConfigError naming the configuration file.
Templates load_configured_templates(const Config& config);

// Replaces every {name} of `text`; a '{' that does not open {lowercase_name} is kept as it is.
// A line holding nothing but a placeholder whose value is empty is dropped, so optional
// paragraphs leave no blank line. Throws std::invalid_argument("<source>: unknown placeholder
// {name}") for a name that is not in `values`.
std::string render_template(std::string_view text, const std::map<std::string, std::string>& values,
                            std::string_view source);

}  // namespace contribd::reply
