#include "daemon/publish/page_templates.h"

#include <stdexcept>

namespace contribd::publish {

std::string_view page_template(std::string_view name) {
  for (const auto& [embedded_name, text] : embedded_templates()) {
    if (embedded_name == name) return text;
  }
  throw std::logic_error("no page template called " + std::string(name));
}

std::string render_page(std::string_view name, kainjow::mustache::data values) {
  kainjow::mustache::mustache page{std::string(page_template(name))};
  if (!page.is_valid()) {
    throw std::logic_error("page template " + std::string(name) + ": " + page.error_message());
  }
  for (const auto& [partial_name, text] : embedded_templates()) {
    if (partial_name == name) continue;
    values.set(std::string(partial_name),
               kainjow::mustache::partial([text = text] { return std::string(text); }));
  }
  std::string out = page.render(values);
  if (!page.is_valid()) {
    throw std::logic_error("page template " + std::string(name) + ": " + page.error_message());
  }
  return out;
}

}  // namespace contribd::publish
