# Writes OUTPUT, a C++ source holding the text of every TEMPLATE_DIR/*.mustache under its name
# ("meeting" for meeting.mustache), so that an installed contribd needs no template files.
# Run by the build (daemon/CMakeLists.txt) whenever a template changes.
file(GLOB templates "${TEMPLATE_DIR}/*.mustache")
list(SORT templates)
set(arrays "")
set(entries "")
foreach(template IN LISTS templates)
  get_filename_component(name "${template}" NAME_WE)
  string(MAKE_C_IDENTIFIER "${name}" identifier)
  file(READ "${template}" hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(APPEND arrays "constexpr unsigned char ${identifier}_text[] = {${bytes}};\n")
  string(APPEND entries
    "    {\"${name}\", {reinterpret_cast<const char*>(${identifier}_text), sizeof ${identifier}_text}},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp"
"// Generated from daemon/publish/templates/ by daemon/publish/embed_templates.cmake.
#include <string_view>
#include <utility>

#include \"daemon/publish/page_templates.h\"

namespace contribd::publish {
namespace {

${arrays}
}  // namespace

std::vector<std::pair<std::string_view, std::string_view>> embedded_templates() {
  return {
${entries}  };
}

}  // namespace contribd::publish
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
