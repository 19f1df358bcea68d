// How fast extract_message() is on the two loads contribd sees: one big attachment and many
// ordinary contributions. The baseline does only what cannot be avoided (base64 decoding and
// SHA-256 of the same bytes), so the gap between the two is the cost of MIME parsing.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "parsers/base64.h"
#include "parsers/mime_extract.h"
#include "parsers/mime_structure.h"
#include "parsers/sha256.h"

namespace {

using contribd::decode_base64_lenient;
using contribd::mime::extract_message;
using contribd::mime::sha256_hex;

std::string random_bytes(std::size_t size, unsigned seed) {
  std::mt19937 generator(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(generator() & 0xFF);
  return bytes;
}

std::string base64_lines(const std::string& data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve(data.size() * 4 / 3 + data.size() / 38 + 8);
  std::size_t column = 0;
  for (std::size_t i = 0; i < data.size(); i += 3) {
    std::uint32_t n = static_cast<unsigned char>(data[i]) << 16;
    if (i + 1 < data.size()) n |= static_cast<unsigned char>(data[i + 1]) << 8;
    if (i + 2 < data.size()) n |= static_cast<unsigned char>(data[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < data.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < data.size() ? kAlphabet[n & 63] : '=';
    if ((column += 4) == 76) {
      out += "\r\n";
      column = 0;
    }
  }
  return out + "\r\n";
}

std::string contribution(const std::string& encoded_attachment, int index) {
  return "From: Alice <alice@member.test>\r\nTo: tsbfgqit4n@itu.int\r\n"
         "Subject: =?utf-8?Q?Contribution_n=C2=B0" +
         std::to_string(index) + "?=\r\nMessage-ID: <" + std::to_string(index) +
         "@member.test>\r\nMIME-Version: 1.0\r\n"
         "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
         "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlease find attached.\r\n"
         "--b\r\nContent-Type: application/pdf\r\n"
         "Content-Disposition: attachment; filename*=utf-8''contribution-%C3%A9t%C3%A9.pdf\r\n"
         "Content-Transfer-Encoding: base64\r\n\r\n" +
         encoded_attachment + "--b--\r\n";
}

const std::string& big_encoded() {
  static const std::string encoded = base64_lines(random_bytes(50u << 20, 1));
  return encoded;
}

void BM_Extract50MbAttachment(benchmark::State& state) {
  const std::string message = contribution(big_encoded(), 0);
  for (auto _ : state) {
    auto parsed = extract_message(message);
    benchmark::DoNotOptimize(parsed.files.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * message.size()));
}
BENCHMARK(BM_Extract50MbAttachment)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_Baseline50MbDecodeAndSha256(benchmark::State& state) {
  const std::string& encoded = big_encoded();
  for (auto _ : state) {
    const std::string digest = sha256_hex(decode_base64_lenient(encoded).bytes);
    benchmark::DoNotOptimize(digest.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * encoded.size()));
}
BENCHMARK(BM_Baseline50MbDecodeAndSha256)->Unit(benchmark::kMillisecond)->Iterations(3);

// The structure scan alone, which extract_message() runs before GMime: its share of
// BM_Extract50MbAttachment is what counting the limits first costs.
void BM_ScanStructure50MbAttachment(benchmark::State& state) {
  const std::string message = contribution(big_encoded(), 0);
  for (auto _ : state) {
    const auto scan = contribd::mime::scan_mime_structure(message, {});
    benchmark::DoNotOptimize(scan.parts);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * message.size()));
}
BENCHMARK(BM_ScanStructure50MbAttachment)->Unit(benchmark::kMillisecond)->Iterations(3);

// The same bytes through the coreutils a person would use: `base64 -d | sha256sum`. Timed as
// wall-clock (the work happens in child processes).
void BM_Shell50MbBase64DecodeSha256sum(benchmark::State& state) {
  const std::string& encoded = big_encoded();
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("contribd-bench-" + std::to_string(::getpid()));
  std::ofstream(file, std::ios::binary) << encoded;
  // -i: the encoded text has CRLF line ends, as in mail; pipefail: a failed decode counts.
  const std::string command =
      "bash -c 'set -o pipefail; base64 -di \"" + file.string() + "\" | sha256sum >/dev/null'";
  for (auto _ : state) {
    if (std::system(command.c_str()) != 0) state.SkipWithError("base64 -d | sha256sum failed");
  }
  std::filesystem::remove(file);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * encoded.size()));
}
BENCHMARK(BM_Shell50MbBase64DecodeSha256sum)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();

std::vector<std::string> ordinary_messages() {
  std::vector<std::string> messages;
  for (int i = 0; i < 1000; ++i) {
    messages.push_back(contribution(base64_lines(random_bytes(30000, 100 + i)), i));
  }
  return messages;
}

void BM_Extract1000OrdinaryMessages(benchmark::State& state) {
  const std::vector<std::string> messages = ordinary_messages();
  std::size_t total = 0;
  for (const std::string& message : messages) total += message.size();
  for (auto _ : state) {
    for (const std::string& message : messages) {
      auto parsed = extract_message(message);
      benchmark::DoNotOptimize(parsed.files.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * total));
  state.counters["messages/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * messages.size()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Extract1000OrdinaryMessages)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_Baseline1000DecodeAndSha256(benchmark::State& state) {
  std::vector<std::string> encoded;
  std::size_t total = 0;
  for (int i = 0; i < 1000; ++i) {
    encoded.push_back(base64_lines(random_bytes(30000, 100 + i)));
    total += encoded.back().size();
  }
  for (auto _ : state) {
    for (const std::string& text : encoded) {
      const std::string digest = sha256_hex(decode_base64_lenient(text).bytes);
      benchmark::DoNotOptimize(digest.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * total));
}
BENCHMARK(BM_Baseline1000DecodeAndSha256)->Unit(benchmark::kMillisecond)->Iterations(3);

// A bomb of 1,000,000 empty parts (7 MB) is held by the structure scan before GMime builds
// a tree: its cost should stay a small multiple of hashing the same bytes.
std::string million_empty_parts() {
  std::string raw =
      "From: a@member.test\r\nSubject: parts\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"B\"\r\n\r\n";
  for (int i = 0; i < 1'000'000; ++i) raw += "--B\r\n\r\n";
  return raw + "--B--\r\n";
}

void BM_HoldMillionEmptyParts(benchmark::State& state) {
  const std::string raw = million_empty_parts();
  for (auto _ : state) {
    const contribd::mime::ParsedMessage message = extract_message(raw);
    if (!message.over_limit) state.SkipWithError("not held");
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * raw.size()));
}
BENCHMARK(BM_HoldMillionEmptyParts)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_BaselineMillionEmptyPartsSha256(benchmark::State& state) {
  const std::string raw = million_empty_parts();
  for (auto _ : state) {
    const std::string digest = sha256_hex(raw);
    benchmark::DoNotOptimize(digest.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * raw.size()));
}
BENCHMARK(BM_BaselineMillionEmptyPartsSha256)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
