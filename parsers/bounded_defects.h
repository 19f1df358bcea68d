// Defects of one header field, kept few: hostile input repeats one problem a million times,
// and whoever reads the list (the register, the log) needs each problem once.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace contribd::mime {

// Appends defects to `sink`, each distinct text once, at most `limit` of them; the rest are
// only counted, and the destructor appends one line saying how many were left out. Work per
// defect is bounded by `limit` comparisons, so a field of a million bad words costs linear time
// and a bounded list.
class BoundedDefects {
 public:
  static constexpr std::size_t kDefaultLimit = 16;

  explicit BoundedDefects(std::vector<std::string>& sink, std::size_t limit = kDefaultLimit);
  ~BoundedDefects();
  BoundedDefects(const BoundedDefects&) = delete;
  BoundedDefects& operator=(const BoundedDefects&) = delete;

  void add(std::string defect);
  // add() for every defect in `found`, which is left empty (ready to collect the next call's).
  void take(std::vector<std::string>& found);

 private:
  std::vector<std::string>& sink_;
  std::size_t first_;  // index in sink_ of the first defect added through this collector
  std::size_t limit_;
  std::size_t left_out_ = 0;
};

// `text` cut to about `max_bytes` (never inside a UTF-8 sequence) with "..." appended when it was
// longer: for quoting mail text inside a defect without copying megabytes of it.
std::string excerpt_for_defect(std::string_view text, std::size_t max_bytes = 40);

}  // namespace contribd::mime
