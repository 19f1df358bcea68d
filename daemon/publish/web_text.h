// Text that came in mail (titles, subjects, sources), made fit for a published page or file.
// HTML escaping is the templates' job (page_templates.h); this makes the characters themselves
// acceptable: browsers and validators reject control characters and noncharacters, and a CSV
// cell that starts like a formula is run by spreadsheets. Total functions over any bytes.
#pragma once

#include <string>
#include <string_view>

namespace contribd::publish {

// For HTML and SVG: bytes that are not UTF-8 and noncharacters (U+FDD0..U+FDEF, U+xFFFE,
// U+xFFFF) become U+FFFD; C0 and C1 controls, DEL and the line and paragraph separators become
// spaces (a title is one line). Bidi controls stay: the pages show mail text inside <bdi>, so
// they cannot reorder what surrounds it.
std::string text_for_page(std::string_view text);

// For CSV and JSON cells: only bytes that are not UTF-8 become U+FFFD; everything else is kept
// as it is, line breaks included (the CSV writer quotes them).
std::string text_for_data(std::string_view text);

}  // namespace contribd::publish
