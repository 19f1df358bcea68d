#include "parsers/bounded_defects.h"

#include <fmt/format.h>

#include <algorithm>

#include "parsers/utf8.h"

namespace contribd::mime {

BoundedDefects::BoundedDefects(std::vector<std::string>& sink, std::size_t limit)
    : sink_(sink), first_(sink.size()), limit_(limit) {}

BoundedDefects::~BoundedDefects() {
  if (left_out_ > 0) {
    sink_.push_back(fmt::format("{} more defects of this field not listed", left_out_));
  }
}

void BoundedDefects::add(std::string defect) {
  const auto mine = sink_.begin() + static_cast<std::ptrdiff_t>(first_);
  if (std::find(mine, sink_.end(), defect) != sink_.end()) return;
  if (sink_.size() - first_ >= limit_) {
    ++left_out_;
    return;
  }
  sink_.push_back(std::move(defect));
}

void BoundedDefects::take(std::vector<std::string>& found) {
  for (std::string& defect : found) add(std::move(defect));
  found.clear();
}

std::string excerpt_for_defect(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  return std::string(utf8_prefix(text, max_bytes)) + "...";
}

}  // namespace contribd::mime
