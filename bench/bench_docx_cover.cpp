// The .docx cover-sheet reader, and the libraries it was chosen from: libzip or minizip for the
// zip, libxml2 (SAX in pull mode, as parsers/docx_cover.cpp uses it) or pugixml (a DOM) for the
// XML. Measured on a 20 MB word/document.xml of ordinary Word markup and on hostile input.
// Times are CPU seconds of this thread, best of three; memory is the peak that each XML library
// asked for, counted through its allocation hooks. Hostile cases run in a child process, so
// that a library that crashes on one is reported instead of ending the benchmark.
#include <libxml/parser.h>
#include <minizip/unzip.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <pugixml.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "parsers/docx_cover.h"

namespace {

// ---- Measuring ---------------------------------------------------------------------------

double thread_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

double best_seconds(const std::function<void()>& work, int runs = 3) {
  double best = 1e9;
  for (int run = 0; run < runs; ++run) {
    const double start = thread_cpu_seconds();
    work();
    best = std::min(best, thread_cpu_seconds() - start);
  }
  return best;
}

double mb(std::size_t bytes) {
  return static_cast<double>(bytes) / 1e6;
}

// Allocation hooks that count the bytes live and their peak, one counter per library.
struct Counter {
  std::size_t live = 0;
  std::size_t peak = 0;
  void reset() { peak = live; }
};
Counter libxml2_memory;
Counter pugixml_memory;

constexpr std::size_t kHeader = 16;

void* counted_malloc(Counter& counter, std::size_t size) {
  auto* block = static_cast<unsigned char*>(std::malloc(size + kHeader));
  if (block == nullptr) return nullptr;
  std::memcpy(block, &size, sizeof size);
  counter.live += size;
  counter.peak = std::max(counter.peak, counter.live);
  return block + kHeader;
}

void counted_free(Counter& counter, void* pointer) {
  if (pointer == nullptr) return;
  unsigned char* block = static_cast<unsigned char*>(pointer) - kHeader;
  std::size_t size = 0;
  std::memcpy(&size, block, sizeof size);
  counter.live -= size;
  std::free(block);
}

void* counted_realloc(Counter& counter, void* pointer, std::size_t size) {
  if (pointer == nullptr) return counted_malloc(counter, size);
  void* fresh = counted_malloc(counter, size);
  if (fresh == nullptr) return nullptr;
  std::size_t old_size = 0;
  std::memcpy(&old_size, static_cast<unsigned char*>(pointer) - kHeader, sizeof old_size);
  std::memcpy(fresh, pointer, std::min(old_size, size));
  counted_free(counter, pointer);
  return fresh;
}

void install_counting_allocators() {
  xmlMemSetup([](void* p) { counted_free(libxml2_memory, p); },
              [](std::size_t n) { return counted_malloc(libxml2_memory, n); },
              [](void* p, std::size_t n) { return counted_realloc(libxml2_memory, p, n); },
              [](const char* s) {
                const std::size_t n = std::strlen(s) + 1;
                auto* copy = static_cast<char*>(counted_malloc(libxml2_memory, n));
                if (copy != nullptr) std::memcpy(copy, s, n);
                return copy;
              });
  pugi::set_memory_management_functions(
      [](std::size_t n) { return counted_malloc(pugixml_memory, n); },
      [](void* p) { counted_free(pugixml_memory, p); });
}

// Runs `work` in a child process and returns what it printed, or how it died.
std::string in_child(const std::function<std::string()>& work, unsigned seconds = 120) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return "pipe failed";
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid == 0) {
    close(pipe_fds[0]);
    alarm(seconds);
    const std::string result = work();
    if (write(pipe_fds[1], result.data(), result.size()) < 0) _exit(1);
    _exit(0);
  }
  close(pipe_fds[1]);
  std::string result;
  char buffer[4096];
  for (ssize_t got; (got = read(pipe_fds[0], buffer, sizeof buffer)) > 0;)
    result.append(buffer, got);
  close(pipe_fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) {
    return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
           strsignal(WTERMSIG(status)) + ")";
  }
  return result;
}

std::string format(const char* pattern, auto... values) {
  char buffer[512];
  std::snprintf(buffer, sizeof buffer, pattern, values...);
  return buffer;
}

// ---- Input -------------------------------------------------------------------------------

constexpr const char* kWordNs = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

std::string cover_table() {
  std::string rows;
  for (const char* label : {"Source:", "Title:", "Purpose:", "Keywords:", "Abstract:"}) {
    rows += std::string("<w:tr><w:tc><w:p><w:r><w:t>") + label +
            "</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Value of the row</w:t></w:r></w:p>"
            "</w:tc></w:tr>";
  }
  return "<w:tbl>" + rows + "</w:tbl>";
}

// Paragraphs as Word writes them (properties, runs, language), of words drawn from a
// vocabulary, so that the text deflates about as well as real prose does.
std::string word_document(std::size_t bytes, bool cover_first) {
  std::mt19937 random(7);
  std::vector<std::string> vocabulary;
  for (int i = 0; i < 2000; ++i) {
    std::string word;
    const int length = 2 + static_cast<int>(random() % 9);
    for (int c = 0; c < length; ++c) word.push_back(static_cast<char>('a' + random() % 26));
    vocabulary.push_back(word);
  }
  std::string xml = std::string("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n") +
                    "<w:document xmlns:w=\"" + kWordNs + "\"><w:body>";
  if (cover_first) xml += cover_table();
  while (xml.size() < bytes) {
    xml += "<w:p><w:pPr><w:pStyle w:val=\"Normal\"/><w:spacing w:after=\"120\"/></w:pPr>";
    for (int run = 0; run < 3; ++run) {
      xml += "<w:r><w:rPr><w:lang w:val=\"en-GB\"/></w:rPr><w:t xml:space=\"preserve\">";
      for (int w = 0; w < 12; ++w) xml += vocabulary[random() % vocabulary.size()] + " ";
      xml += "</w:t></w:r>";
    }
    xml += "</w:p>";
  }
  return xml + "<w:sectPr/></w:body></w:document>";
}

std::string repeat(std::string_view piece, std::size_t times) {
  std::string out;
  out.reserve(piece.size() * times);
  for (std::size_t i = 0; i < times; ++i) out += piece;
  return out;
}

// A zip written by libzip in memory: members deflated, or stored when `stored`.
std::string zip_of(const std::vector<std::pair<std::string, std::string>>& members,
                   bool stored = false) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  zip_source_keep(buffer);
  zip_t* archive = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
  for (const auto& [name, data] : members) {
    zip_source_t* member = zip_source_buffer(archive, data.data(), data.size(), 0);
    const zip_int64_t index = zip_file_add(archive, name.c_str(), member, ZIP_FL_ENC_UTF_8);
    if (stored)
      zip_set_file_compression(archive, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0);
  }
  zip_close(archive);
  std::string out;
  zip_stat_t stat;
  zip_source_stat(buffer, &stat);
  out.resize(stat.size);
  zip_source_open(buffer);
  zip_source_read(buffer, out.data(), out.size());
  zip_source_close(buffer);
  zip_source_free(buffer);
  return out;
}

std::string docx(const std::string& document_xml) {
  return zip_of({{"[Content_Types].xml", "<Types/>"}, {"word/document.xml", document_xml}});
}

std::string test_file(const std::string& name) {
  std::ifstream in(std::filesystem::path(CONTRIBD_TEST_DATA_DIR) / "docx" / (name + ".docx"),
                   std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// ---- Zip libraries -----------------------------------------------------------------------

struct Inflated {
  std::size_t bytes = 0;
  std::string error;
};

Inflated libzip_inflate(const std::string& zip, const char* name, std::size_t cap) {
  Inflated result;
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(zip.data(), zip.size(), 0, &error);
  zip_t* archive = zip_open_from_source(source, ZIP_RDONLY, &error);
  if (archive == nullptr) {
    zip_source_free(source);
    result.error = zip_error_strerror(&error);
    return result;
  }
  zip_file_t* file = zip_fopen(archive, name, ZIP_FL_NOCASE);
  std::vector<char> buffer(64 * 1024);
  for (zip_int64_t got;
       result.bytes < cap && (got = zip_fread(file, buffer.data(), buffer.size())) != 0;) {
    if (got < 0) {
      result.error = zip_file_strerror(file);
      break;
    }
    result.bytes += static_cast<std::size_t>(got);
  }
  zip_fclose(file);
  zip_discard(archive);
  return result;
}

// minizip 1.1 reads from files only: these callbacks make a string its file.
struct MemoryFile {
  const std::string* data;
  std::uint64_t position = 0;
};

zlib_filefunc64_def memory_functions(MemoryFile& file) {
  zlib_filefunc64_def functions{};
  functions.opaque = &file;
  functions.zopen64_file = [](voidpf opaque, const void*, int) -> voidpf { return opaque; };
  functions.zread_file = [](voidpf, voidpf stream, void* buffer, uLong size) -> uLong {
    auto* file = static_cast<MemoryFile*>(stream);
    const std::uint64_t left =
        file->data->size() - std::min<std::uint64_t>(file->position, file->data->size());
    const uLong count = static_cast<uLong>(std::min<std::uint64_t>(size, left));
    std::memcpy(buffer, file->data->data() + file->position, count);
    file->position += count;
    return count;
  };
  functions.zwrite_file = [](voidpf, voidpf, const void*, uLong) -> uLong { return 0; };
  functions.ztell64_file = [](voidpf, voidpf stream) -> ZPOS64_T {
    return static_cast<MemoryFile*>(stream)->position;
  };
  functions.zseek64_file = [](voidpf, voidpf stream, ZPOS64_T offset, int origin) -> long {
    auto* file = static_cast<MemoryFile*>(stream);
    const std::uint64_t base = origin == ZLIB_FILEFUNC_SEEK_SET   ? 0
                               : origin == ZLIB_FILEFUNC_SEEK_CUR ? file->position
                                                                  : file->data->size();
    if (base + offset > file->data->size()) return -1;
    file->position = base + offset;
    return 0;
  };
  functions.zclose_file = [](voidpf, voidpf) -> int { return 0; };
  functions.zerror_file = [](voidpf, voidpf) -> int { return 0; };
  return functions;
}

Inflated minizip_inflate(const std::string& zip, const char* name, std::size_t cap) {
  Inflated result;
  MemoryFile file{&zip};
  zlib_filefunc64_def functions = memory_functions(file);
  unzFile archive = unzOpen2_64("memory", &functions);
  if (archive == nullptr) {
    result.error = "unzOpen2_64 failed";
    return result;
  }
  if (unzLocateFile(archive, name, 2 /* case-insensitive */) != UNZ_OK ||
      unzOpenCurrentFile(archive) != UNZ_OK) {
    result.error = "member not found or not opened";
    unzClose(archive);
    return result;
  }
  std::vector<char> buffer(64 * 1024);
  for (int got; result.bytes < cap &&
                (got = unzReadCurrentFile(archive, buffer.data(),
                                          static_cast<unsigned>(buffer.size()))) != 0;) {
    if (got < 0) {
      result.error = "read error " + std::to_string(got);
      break;
    }
    result.bytes += static_cast<std::size_t>(got);
  }
  if (const int closed = unzCloseCurrentFile(archive); closed != UNZ_OK && result.error.empty()) {
    result.error = closed == UNZ_CRCERROR ? "CRC error at the end" : "close error";
  }
  unzClose(archive);
  return result;
}

// ---- XML libraries -----------------------------------------------------------------------

struct XmlResult {
  bool ok = false;
  std::size_t elements = 0;
  std::size_t text_bytes = 0;
  std::string error;
};

struct SaxState {
  XmlResult result;
  xmlParserCtxtPtr context = nullptr;
};

struct MemoryInput {
  const std::string* data;
  std::size_t position = 0;
};

// libxml2 as parsers/docx_cover.cpp calls it: pull mode, input through a read callback, SAX2
// callbacks, a DOCTYPE stops the parse.
XmlResult libxml2_sax(const std::string& xml) {
  xmlSAXHandler sax{};
  sax.initialized = XML_SAX2_MAGIC;
  sax.startElementNs = [](void* user, const xmlChar*, const xmlChar*, const xmlChar*, int,
                          const xmlChar**, int, int,
                          const xmlChar**) { ++static_cast<SaxState*>(user)->result.elements; };
  sax.characters = [](void* user, const xmlChar*, int length) {
    static_cast<SaxState*>(user)->result.text_bytes += static_cast<std::size_t>(length);
  };
  sax.internalSubset = [](void* user, const xmlChar*, const xmlChar*, const xmlChar*) {
    auto* state = static_cast<SaxState*>(user);
    state->result.error = "DOCTYPE: stopped";
    xmlStopParser(state->context);
  };
  sax.serror = [](void* user, xmlErrorPtr error) {
    auto* state = static_cast<SaxState*>(user);
    if (state->result.error.empty() && error->message != nullptr) {
      state->result.error = error->message;
      while (!state->result.error.empty() && state->result.error.back() == '\n') {
        state->result.error.pop_back();
      }
    }
  };
  SaxState state;
  MemoryInput input{&xml};
  xmlParserCtxtPtr context = xmlCreateIOParserCtxt(
      &sax, &state,
      [](void* context, char* buffer, int length) {
        auto* in = static_cast<MemoryInput*>(context);
        const std::size_t count =
            std::min(static_cast<std::size_t>(length), in->data->size() - in->position);
        std::memcpy(buffer, in->data->data() + in->position, count);
        in->position += count;
        return static_cast<int>(count);
      },
      nullptr, &input, XML_CHAR_ENCODING_NONE);
  state.context = context;
  xmlCtxtUseOptions(context, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  xmlParseDocument(context);
  state.result.ok = context->wellFormed != 0 && state.result.error.empty();
  xmlFreeParserCtxt(context);
  return state.result;
}

XmlResult pugixml_dom(const std::string& xml) {
  XmlResult result;
  pugi::xml_document document;
  const pugi::xml_parse_result parsed = document.load_buffer(xml.data(), xml.size());
  result.ok = static_cast<bool>(parsed);
  if (!result.ok) result.error = parsed.description();
  // Counted without recursion: parent and sibling links, as pugixml's own walker does.
  for (pugi::xml_node node = document.first_child(); node;) {
    if (node.type() == pugi::node_element) ++result.elements;
    if (node.type() == pugi::node_pcdata) result.text_bytes += std::strlen(node.value());
    if (node.first_child()) {
      node = node.first_child();
      continue;
    }
    while (node && !node.next_sibling()) node = node.parent();
    if (node) node = node.next_sibling();
  }
  return result;
}

void compare_xml(const char* what, const std::string& xml) {
  std::printf("\n%s (%.1f MB)\n", what, mb(xml.size()));
  for (const auto& [name, parse, counter] :
       {std::tuple{"libxml2 SAX", &libxml2_sax, &libxml2_memory},
        std::tuple{"pugixml DOM", &pugixml_dom, &pugixml_memory}}) {
    XmlResult result;
    counter->reset();
    const std::size_t before = counter->live;
    const double seconds = best_seconds([&] { result = parse(xml); });
    std::printf("  %-12s %7.3f s  %6.0f MB/s  peak %9.0f kB (%5.2f x input)  %s%s\n", name, seconds,
                mb(xml.size()) / seconds, static_cast<double>(counter->peak - before) / 1e3,
                static_cast<double>(counter->peak - before) / static_cast<double>(xml.size()),
                result.ok ? "ok" : "error: ", result.error.c_str());
  }
}

// Time for 8N over time for N: about 8 when linear, 64 when quadratic.
void linearity(const char* what, const std::function<std::string(std::size_t)>& input,
               std::size_t n) {
  std::printf("  %-34s", what);
  for (const auto& [name, parse] :
       {std::pair{"libxml2", &libxml2_sax}, std::pair{"pugixml", &pugixml_dom}}) {
    const std::string small = input(n);
    const std::string large = input(8 * n);
    const double t1 = best_seconds([&] { parse(small); });
    const double t8 = best_seconds([&] { parse(large); });
    std::printf("  %s %5.1f (%.3f s at %.0f MB)", name, t8 / t1, t8, mb(large.size()));
  }
  std::printf("\n");
}

std::string hostile_result(const XmlResult& result, double seconds, const Counter& counter) {
  return format("%-6s %.3f s, peak %.0f kB, %zu elements, %zu text bytes%s%s",
                result.ok ? "ok" : "error", seconds, static_cast<double>(counter.peak) / 1e3,
                result.elements, result.text_bytes, result.error.empty() ? "" : ": ",
                result.error.c_str());
}

void hostile_xml(const char* what, const std::string& xml) {
  std::printf("  %s\n", what);
  std::printf("    libxml2 SAX  %s\n", in_child([&] {
                                         XmlResult result;
                                         libxml2_memory.reset();
                                         const double seconds =
                                             best_seconds([&] { result = libxml2_sax(xml); }, 1);
                                         return hostile_result(result, seconds, libxml2_memory);
                                       }).c_str());
  std::printf("    pugixml DOM  %s\n", in_child([&] {
                                         XmlResult result;
                                         pugixml_memory.reset();
                                         const double seconds =
                                             best_seconds([&] { result = pugixml_dom(xml); }, 1);
                                         return hostile_result(result, seconds, pugixml_memory);
                                       }).c_str());
}

const char* verdict_name(contribd::docx::DocxVerdict verdict) {
  using contribd::docx::DocxVerdict;
  switch (verdict) {
    case DocxVerdict::read:
      return "read";
    case DocxVerdict::not_a_zip:
      return "not_a_zip";
    case DocxVerdict::over_limit:
      return "over_limit";
    case DocxVerdict::not_a_docx:
      return "not_a_docx";
  }
  return "?";
}

void reader(const char* what, const std::string& bytes, contribd::docx::DocxLimits limits = {}) {
  contribd::docx::DocxReading reading;
  const double seconds =
      best_seconds([&] { reading = contribd::docx::read_cover_sheet(bytes, limits); });
  std::printf("  %-44s %9.4f s  %-10s %s\n", what, seconds, verdict_name(reading.verdict),
              reading.verdict == contribd::docx::DocxVerdict::read
                  ? (reading.cover.cover_table ? "cover table" : "no cover table")
                  : reading.problem.c_str());
}

}  // namespace

int main() {
  install_counting_allocators();
  xmlInitParser();

  const std::string plain = word_document(20'000'000, false);
  const std::string with_cover = word_document(20'000'000, true);
  const std::string plain_docx = docx(plain);
  const std::string cover_docx = docx(with_cover);
  std::printf("word/document.xml: %.1f MB, deflated in the .docx to %.1f MB (%.1fx)\n",
              mb(plain.size()), mb(plain_docx.size()),
              static_cast<double>(plain.size()) / static_cast<double>(plain_docx.size()));

  std::printf("\nZip: inflating word/document.xml from memory\n");
  for (const auto& [name, inflate] :
       {std::pair{"libzip", &libzip_inflate}, std::pair{"minizip", &minizip_inflate}}) {
    Inflated result;
    const double seconds =
        best_seconds([&] { result = inflate(plain_docx, "word/document.xml", SIZE_MAX); });
    std::printf("  %-8s %.3f s  %5.0f MB/s  %zu bytes %s\n", name, seconds,
                mb(result.bytes) / seconds, result.bytes, result.error.c_str());
  }
  for (const std::size_t members : {10'000u, 100'000u}) {
    std::vector<std::pair<std::string, std::string>> files;
    for (std::size_t i = 0; i < members; ++i) files.emplace_back("m/" + std::to_string(i), "");
    files.emplace_back("word/document.xml", "<w:document/>");
    const std::string zip = zip_of(files, true);
    std::printf("  %zu members (%.1f MB), finding the last:", members, mb(zip.size()));
    for (const auto& [name, inflate] :
         {std::pair{"libzip", &libzip_inflate}, std::pair{"minizip", &minizip_inflate}}) {
      const double seconds = best_seconds([&] { inflate(zip, "word/document.xml", SIZE_MAX); });
      std::printf("  %s %.3f s", name, seconds);
    }
    std::printf("\n");
  }
  {
    // libzip tries every end-of-central-directory record in the last 64 KiB, reading the
    // directory each points to.
    std::vector<std::pair<std::string, std::string>> files;
    for (int i = 0; i < 9'999; ++i) files.emplace_back("m/" + std::to_string(i), "");
    files.emplace_back("word/document.xml", "<w:document/>");
    const std::string zip = zip_of(files, true);
    const std::size_t record = zip.rfind("PK\x05\x06");
    std::printf("  end records before a directory of 10,000 members, opening:");
    for (const int records : {1, 8, 32}) {
      std::string copies = zip;
      const auto comment = static_cast<unsigned>(22 * (records - 1));
      copies[record + 20] = static_cast<char>(comment & 0xFF);
      copies[record + 21] = static_cast<char>(comment >> 8);
      for (int i = 1; i < records; ++i) copies += zip.substr(record, 20) + std::string(2, '\0');
      const double seconds =
          best_seconds([&] { libzip_inflate(copies, "word/document.xml", SIZE_MAX); }, 1);
      std::printf("  %d: libzip %.2f s", records, seconds);
    }
    std::printf("\n");
  }
  const std::string lying = test_file("lying_directory");
  std::printf("  lying directory (says 1000 bytes, inflates to 50 MiB), read up to 64 MiB:\n");
  for (const auto& [name, inflate] :
       {std::pair{"libzip", &libzip_inflate}, std::pair{"minizip", &minizip_inflate}}) {
    const Inflated result = inflate(lying, "word/document.xml", 64u << 20);
    std::printf("    %-8s gives %zu bytes, then: %s\n", name, result.bytes,
                result.error.empty() ? "end of data" : result.error.c_str());
  }

  std::printf("\nXML: a whole document, parsed once per run");
  compare_xml("Word markup", plain);
  compare_xml("Dense markup: <a/> repeated", "<r>" + repeat("<a/>", 4'000'000) + "</r>");

  std::printf("\nXML: time for 8N over time for N (linear ~8, quadratic ~64)\n");
  linearity(
      "one attribute value of N bytes",
      [](std::size_t n) { return "<r a=\"" + std::string(n, 'x') + "\"/>"; }, 2'000'000);
  linearity(
      "one text node of N bytes",
      [](std::size_t n) { return "<r>" + std::string(n, 'x') + "</r>"; }, 2'000'000);
  linearity(
      "N attributes on one element",
      [](std::size_t n) {
        std::string xml = "<r";
        for (std::size_t i = 0; i < n; ++i) xml += " a" + std::to_string(i) + "=\"v\"";
        return xml + "/>";
      },
      20'000);
  linearity(
      "one comment of N bytes",
      [](std::size_t n) { return "<r><!--" + std::string(n, 'x') + "--></r>"; }, 2'000'000);
  linearity(
      "N sibling elements",
      [](std::size_t n) { return "<r>" + repeat("<w:p xmlns:w=\"u\"/>", n) + "</r>"; }, 100'000);

  std::printf("\nXML: hostile input (each in a child process)\n");
  std::string laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE r [\n<!ENTITY l0 \"lol\">\n";
  for (int i = 1; i < 10; ++i) {
    laughs += "<!ENTITY l" + std::to_string(i) + " \"" +
              repeat("&l" + std::to_string(i - 1) + ";", 10) + "\">\n";
  }
  laughs += "]>\n<r>&l9;</r>";
  hostile_xml("billion laughs (10^9 x \"lol\" if expanded)", laughs);
  hostile_xml("1,000,000 nested elements",
              "<r>" + repeat("<a>", 1'000'000) + repeat("</a>", 1'000'000) + "</r>");
  hostile_xml(
      "DOCTYPE with 1,000,000 nested <![ sections",
      "<!DOCTYPE r [" + repeat("<![INCLUDE[", 1'000'000) + repeat("]]>", 1'000'000) + "]><r/>");
  hostile_xml("Word markup cut in the middle", plain.substr(0, plain.size() / 2));
  hostile_xml("Word markup with a stray '&' in the middle",
              plain.substr(0, plain.size() / 2) + "&" + plain.substr(plain.size() / 2));

  std::printf("\nread_cover_sheet (libzip + libxml2 SAX, default limits unless said)\n");
  reader("20 MB document, cover table first", cover_docx);
  reader("20 MB document, no table (read to the end)", plain_docx);
  contribd::docx::DocxLimits loose;
  loose.max_expansion_ratio = 100'000;
  for (const char* name : {"template_colons", "lo_template", "bomb", "ratio_bomb",
                           "lying_directory", "billion_laughs", "renamed_doc", "corrupt"}) {
    reader(name, test_file(name));
  }
  std::string attributes = "<w:p";
  for (int i = 0; i < 160'000; ++i) attributes += " w:a" + std::to_string(i) + "=\"\"";
  std::string attribute_bomb = word_document(0, false);
  attribute_bomb.insert(attribute_bomb.find("<w:body>") + 8, attributes + "/>");
  reader("a start tag of 160,000 attributes (2.5 MB)", docx(attribute_bomb), loose);
  {
    std::vector<std::pair<std::string, std::string>> files;
    for (int i = 0; i < 9'999; ++i) files.emplace_back("m/" + std::to_string(i), "");
    files.emplace_back("word/document.xml", "<w:document/>");
    std::string zip = zip_of(files, true);
    const std::size_t record = zip.rfind("PK\x05\x06");
    const std::string copy = zip.substr(record, 20) + std::string(2, '\0');
    zip[record + 20] = static_cast<char>((22 * 2899) & 0xFF);
    zip[record + 21] = static_cast<char>((22 * 2899) >> 8);
    for (int i = 0; i < 2899; ++i) zip += copy;
    reader("2,900 end records, 10,000 members (libzip: 266 s)", zip);
  }
  reader("deep_nesting (ratio limit 100000)", test_file("deep_nesting"), loose);
  reader("ratio_bomb (ratio limit 100000)", test_file("ratio_bomb"), loose);
  reader("lying_directory (ratio limit 100000)", test_file("lying_directory"), loose);
  return 0;
}
