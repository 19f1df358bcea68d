// The templates of the published pages (daemon/publish/templates/*.mustache), compiled into
// the binary, and rendering them with Mustache: every {{value}} is HTML-escaped (& < > " '),
// only {{{value}}} is not, and no template here uses it. Templates reach each other as partials
// by name ({{> style}}).
#pragma once

#include <kainjow/mustache.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace contribd::publish {

// Every template as (name, text); generated at build time by embed_templates.cmake.
std::vector<std::pair<std::string_view, std::string_view>> embedded_templates();

// The template called `name`; throws std::logic_error for a name that is not embedded.
std::string_view page_template(std::string_view name);

// Renders the template `name` with `values`. Throws std::logic_error when the template does not
// parse (a build with a broken template fails its unit tests, not a publication).
std::string render_page(std::string_view name, kainjow::mustache::data values);

}  // namespace contribd::publish
