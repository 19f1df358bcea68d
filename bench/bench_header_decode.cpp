// Header decoding on hostile shapes, as a ratio: the time for input of size 8N over the time
// for size N. Linear code gives about 8, quadratic code about 64. A ratio, not a time, so the
// figure means the same on a loaded or a fast machine.
#include <malloc.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "parsers/charset.h"
#include "parsers/header_decode.h"
#include "parsers/mime_address.h"
#include "parsers/mime_params.h"

namespace {

using namespace contribd::mime;

std::string repeat(std::string_view piece, std::size_t times) {
  std::string out;
  out.reserve(piece.size() * times);
  for (std::size_t i = 0; i < times; ++i) out.append(piece);
  return out;
}

struct Shape {
  const char* name;
  std::size_t base_count;                         // N, in repetitions of the shape's unit
  std::function<std::string(std::size_t)> input;  // the input for a count
  std::function<void(const std::string&)> decode;
};

// CPU time of this thread, not wall time: the machine may be busy with other work, and a
// long run is preempted more often than a short one.
double thread_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// Best of several runs: the least disturbed by caches and other work.
double seconds_to_decode(const Shape& shape, const std::string& input) {
  double best = 1e9;
  for (int run = 0; run < 5; ++run) {
    const double start = thread_cpu_seconds();
    shape.decode(input);
    best = std::min(best, thread_cpu_seconds() - start);
  }
  return best;
}

void decode_text(const std::string& input) {
  std::vector<std::string> defects;
  decode_header_text(input, defects);
}

void parse_parameters(const std::string& input) {
  std::vector<std::string> defects;
  parse_parameterized_value(input, defects);
}

void parse_address(const std::string& input) {
  std::vector<std::string> defects;
  parse_first_mailbox(input, defects);
}

std::string continuations_out_of_order(std::size_t count) {
  std::string field = "attachment";
  for (std::size_t section = count; section-- > 0;) {
    field += "; filename*" + std::to_string(section) + "=\"x\"";
  }
  return field;
}

std::string many_parameters(std::size_t count) {
  std::string field = "attachment";
  for (std::size_t i = 0; i < count; ++i) field += "; p" + std::to_string(i) + "=v";
  return field;
}

std::vector<Shape> hostile_shapes() {
  return {
      {"Subject of \"=?x?Q?a\" fragments", 25 * 1024 / 7,
       [](std::size_t n) { return repeat("=?x?Q?a", n); }, decode_text},
      {"Subject of words in two alternating charsets", 2000,
       [](std::size_t n) { return repeat("=?utf-8?Q?a?= =?iso-8859-1?Q?=E9?= ", n); }, decode_text},
      {"Subject of words with unknown charsets", 2000,
       [](std::size_t n) {
         std::string subject;
         for (std::size_t i = 0; i < n; ++i) subject += "=?x-" + std::to_string(i) + "?Q?=E9?= ";
         return subject;
       },
       decode_text},
      {"filename= of \"=?x?Q?a\" fragments", 1280 * 1024 / 7,
       [](std::size_t n) { return "attachment; filename=\"" + repeat("=?x?Q?a", n) + "\""; },
       parse_parameters},
      {"filename= of encoded-words", 1280 * 1024 / 17,
       [](std::size_t n) {
         return "attachment; filename=\"" + repeat("=?utf-8?Q?r=C3=A9?=", n) + "\"";
       },
       parse_parameters},
      {"RFC 2231 continuations, out of order", 12500, continuations_out_of_order, parse_parameters},
      {"parameters, all different", 12500, many_parameters, parse_parameters},
      {"address list of \"<>\" before the mailbox", 25000,
       [](std::size_t n) { return repeat("<>, ", n) + "last@member.test"; }, parse_address},
      {"display name of \"=?x?Q?a\" fragments", 128 * 1024 / 7,
       [](std::size_t n) { return repeat("=?x?Q?a", n) + " <a@member.test>"; }, parse_address},
      {"NFC: e + combining acute", 25000, [](std::size_t n) { return repeat("e\xCC\x81", n); },
       [](const std::string& input) { normalise_nfc(input); }},
      {"NFC: combining marks of two classes", 25000,
       [](std::size_t n) { return "x" + repeat("\xCC\x81\xCC\x96", n); },
       [](const std::string& input) { normalise_nfc(input); }},
  };
}

}  // namespace

int main() {
  // Large buffers come from the heap and stay there, as small ones do: otherwise every buffer
  // over 128 KiB is a fresh mmap whose page faults cost more per byte than the decoding, and
  // the ratio would compare two allocators instead of two input sizes.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  std::printf("%-46s %12s %12s %7s\n", "shape", "N (s)", "8N (s)", "ratio");
  for (const Shape& shape : hostile_shapes()) {
    const std::string small = shape.input(shape.base_count);
    const std::string large = shape.input(shape.base_count * 8);
    const double small_seconds = seconds_to_decode(shape, small);
    const double large_seconds = seconds_to_decode(shape, large);
    std::printf("%-46s %12.6f %12.6f %7.1f   (%zu -> %zu bytes)\n", shape.name, small_seconds,
                large_seconds, large_seconds / small_seconds, small.size(), large.size());
  }
  return 0;
}
