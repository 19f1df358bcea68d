#include "parsers/bounded_defects.h"

#include <fmt/format.h>

#include <algorithm>

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
  std::size_t cut = max_bytes;
  // Not inside a UTF-8 sequence: back off over continuation bytes (at most three).
  for (int step = 0; step < 3 && cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80;
       ++step) {
    --cut;
  }
  return std::string(text.substr(0, cut)) + "...";
}

}  // namespace contribd::mime
