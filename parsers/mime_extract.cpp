#include "parsers/mime_extract.h"

#include <fmt/format.h>
#include <gmime/gmime.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <set>
#include <string>
#include <system_error>

#include "parsers/ascii_text.h"
#include "parsers/charset.h"
#include "parsers/header_decode.h"
#include "parsers/mime_address.h"
#include "parsers/mime_body.h"
#include "parsers/mime_body_stream.h"
#include "parsers/mime_file_names.h"
#include "parsers/mime_header_block.h"
#include "parsers/mime_init.h"
#include "parsers/mime_params.h"
#include "parsers/mime_structure.h"
#include "parsers/sha256.h"
#include "parsers/sha256_stream.h"
#include "parsers/tnef.h"

namespace contribd::mime {

namespace {

struct ObjectUnref {
  void operator()(void* object) const { g_object_unref(object); }
};
template <typename T>
using GObjectPtr = std::unique_ptr<T, ObjectUnref>;

struct ParserOptionsFree {
  void operator()(GMimeParserOptions* options) const { g_mime_parser_options_free(options); }
};

std::string mime_type_of(GMimeObject* object) {
  GMimeContentType* type = g_mime_object_get_content_type(object);
  if (type == nullptr) return "application/octet-stream";
  gchar* mime_type = g_mime_content_type_get_mime_type(type);
  std::string result = ascii::lower(mime_type ? mime_type : "application/octet-stream");
  g_free(mime_type);
  return result;
}

std::string raw_header(GMimeObject* object, const char* name) {
  GMimeHeaderList* list = g_mime_object_get_header_list(object);
  GMimeHeader* header = list ? g_mime_header_list_get_header(list, name) : nullptr;
  if (header == nullptr) return {};
  const char* raw = g_mime_header_get_raw_value(header);
  return raw ? raw : "";
}

bool is_valid_mime_type(std::string_view type) {
  const std::size_t slash = type.find('/');
  if (slash == 0 || slash == std::string_view::npos || slash + 1 == type.size()) return false;
  return type.find('/', slash + 1) == std::string_view::npos;
}

// The type of a leaf as RFC 2045 5.2 wants it: a syntactically invalid Content-Type means
// text/plain (GMime says application/octet-stream, which would make a body a file).
std::string leaf_type_of(GMimeObject* object) {
  const std::string raw = raw_header(object, "Content-Type");
  if (raw.empty()) return mime_type_of(object);  // GMime knows the digest default
  std::vector<std::string> ignored;
  const std::string declared = parse_parameterized_value(raw, ignored).value;
  return is_valid_mime_type(declared) ? declared : "text/plain";
}

// "<id>" -> "id", lower-case, as cid: URLs name it.
std::string bare_content_id(GMimeObject* object) {
  const char* id = g_mime_object_get_content_id(object);
  return id ? ascii::lower(id) : "";
}

void collect_html(GMimeObject* object, std::string& html, int budget) {
  if (budget <= 0) return;
  if (GMIME_IS_MULTIPART(object)) {
    GMimeMultipart* multipart = GMIME_MULTIPART(object);
    for (int i = 0; i < g_mime_multipart_get_count(multipart); ++i) {
      collect_html(g_mime_multipart_get_part(multipart, i), html, budget - 1);
    }
  } else if (GMIME_IS_PART(object) && mime_type_of(object) == "text/html") {
    std::vector<std::string> ignored;
    html += ascii::lower(decode_part_body(GMIME_PART(object), "", ignored));
  }
}

// Content-IDs of `related` that its HTML refers to by "cid:" (RFC 2392).
std::set<std::string> referenced_content_ids(GMimeMultipart* related) {
  std::string html;
  collect_html(GMIME_OBJECT(related), html, 4);
  std::set<std::string> ids;
  for (int i = 0; i < g_mime_multipart_get_count(related); ++i) {
    const std::string id = bare_content_id(g_mime_multipart_get_part(related, i));
    if (!id.empty() && (html.find("cid:" + id) != std::string::npos ||
                        html.find("cid:" + percent_encode_cid(id)) != std::string::npos)) {
      ids.insert(id);
    }
  }
  return ids;
}

bool is_report_part(std::string_view type) {
  return type == "message/delivery-status" || type == "message/disposition-notification" ||
         type == "text/rfc822-headers" || type == "message/feedback-report" ||
         type == "message/global-delivery-status" ||
         type == "message/global-disposition-notification" || type == "message/global-headers";
}

bool is_tnef(std::string_view type, std::string_view filename) {
  return type == "application/ms-tnef" || type == "application/vnd.ms-tnef" ||
         ascii::lower(filename) == "winmail.dat";
}

class TreeWalker {
 public:
  TreeWalker(const ExtractLimits& limits, ParsedMessage& message, FileSink* sink = nullptr)
      : limits_(limits), message_(message), sink_(sink) {}

  void walk(GMimeObject* object, int depth, const std::string& path) {
    if (object == nullptr || over_limit()) return;
    if (depth > limits_.max_depth) {
      set_over_limit(
          fmt::format("limits.max_depth: MIME nesting deeper than {} levels", limits_.max_depth));
      return;
    }
    if (GMIME_IS_MESSAGE_PARTIAL(object)) {
      message_.defects.push_back(
          fmt::format("{}: message/partial fragment not reassembled", where(path)));
    } else if (GMIME_IS_MESSAGE_PART(object)) {
      GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
      if (inner != nullptr) walk(g_mime_message_get_mime_part(inner), depth + 1, path);
    } else if (GMIME_IS_MULTIPART(object)) {
      walk_multipart(GMIME_MULTIPART(object), depth, path);
    } else if (GMIME_IS_PART(object)) {
      visit_leaf(GMIME_PART(object), path);
    }
  }

 private:
  static std::string where(const std::string& path) {
    return path.empty() ? "message body" : "part " + path;
  }

  static std::string child_path(const std::string& path, int index) {
    return path.empty() ? std::to_string(index + 1) : fmt::format("{}.{}", path, index + 1);
  }

  bool over_limit() const { return message_.over_limit.has_value(); }

  // The structure scan counts first; this is the same promise kept where GMime saw more.
  void set_over_limit(std::string text) {
    if (!over_limit()) message_.over_limit = std::move(text);
  }

  std::string parts_over_limit() const {
    return fmt::format("limits.max_parts: more than {} MIME parts", limits_.max_parts);
  }

  void walk_multipart(GMimeMultipart* multipart, int depth, const std::string& path) {
    const std::string type = mime_type_of(GMIME_OBJECT(multipart));
    const int count = g_mime_multipart_get_count(multipart);
    std::set<std::string> hidden_ids;
    if (type == "multipart/related") hidden_ids = referenced_content_ids(multipart);
    for (int i = 0; i < count && !over_limit(); ++i) {
      GMimeObject* child = g_mime_multipart_get_part(multipart, i);
      const std::string child_type = mime_type_of(child);
      if (type == "multipart/signed" && i > 0) continue;  // the signature
      if (type == "multipart/report" && is_report_part(child_type)) continue;
      if (!hidden_ids.empty() && hidden_ids.count(bare_content_id(child))) continue;
      walk(child, depth + 1, child_path(path, i));
    }
  }

  std::string decoded_parameter(GMimeObject* object, const char* header, const char* name) {
    const std::string raw = raw_header(object, header);
    if (raw.empty()) return {};
    std::vector<std::string> defects;
    std::optional<std::string> value =
        find_parameter(parse_parameterized_value(raw, defects), name);
    for (std::string& defect : defects) {
      message_.defects.push_back(fmt::format("{}: {}: {}", where(path_), header, defect));
    }
    return value.value_or("");
  }

  std::string declared_filename(GMimePart* part) {
    GMimeObject* object = GMIME_OBJECT(part);
    std::string name = decoded_parameter(object, "Content-Disposition", "filename");
    if (name.empty()) name = decoded_parameter(object, "Content-Type", "name");
    return name;
  }

  void visit_leaf(GMimePart* part, const std::string& path) {
    if (++leaves_ > limits_.max_parts) {
      set_over_limit(parts_over_limit());
      return;
    }
    path_ = path;
    const std::string type = leaf_type_of(GMIME_OBJECT(part));
    if (type.starts_with("message/")) return;  // a container or a report, never a file
    std::string filename = declared_filename(part);
    if (filename.empty() && type.starts_with("text/")) return;  // a body alternative
    if (sink_ != nullptr && !is_tnef(type, filename)) {
      stream_leaf(part, path, type, std::move(filename));
      return;
    }
    // Decoded in memory: no larger than the message, which is in memory already.
    std::string data = decode_part_body(part, where(path), message_.defects);
    if (is_tnef(type, filename) && add_tnef_files(data, path)) return;
    if (filename.empty()) {
      if (data.empty()) return;  // a nameless empty leaf carries nothing to register
      filename = name_for_nameless(type, ++nameless_);
    }
    add_file(std::move(filename), type, std::move(data));
  }

  // visit_leaf() with the decoded bytes going into a file of the sink.
  void stream_leaf(GMimePart* part, const std::string& path, const std::string& type,
                   std::string filename) {
    const FileSink::Target target = sink_->create();
    const StreamedBody body =
        stream_part_body(part, where(path), message_.defects, target.fd, file_bytes_left());
    if (body.over_max_bytes) {
      sink_->discard(target);
      set_over_limit(file_bytes_over_limit());
      return;
    }
    if (filename.empty()) {
      if (body.size == 0) {
        sink_->discard(target);
        return;
      }
      filename = name_for_nameless(type, ++nameless_);
    }
    ExtractedFile file;
    file.filename = std::move(filename);
    file.content_type = type;
    file.sha256_hex = body.sha256_hex;
    file.size = body.size;
    file.spooled_path = target.name;
    spooled_.push_back(target);
    message_.files.push_back(std::move(file));
    count_file_bytes(body.size);
  }

  // True when the TNEF container could be decoded (its files, if any, were added) or held
  // the message over a limit. Its files count as parts with the MIME leaves.
  bool add_tnef_files(const std::string& data, const std::string& path) {
    TnefContents contents = extract_tnef(data, limits_.max_parts - leaves_);
    for (std::string& defect : contents.defects) {
      message_.defects.push_back(fmt::format("{}: {}", where(path), defect));
    }
    if (contents.too_many_files) {
      set_over_limit(parts_over_limit() + " and TNEF files");
      return true;
    }
    if (!contents.decoded) {
      message_.defects.push_back(fmt::format("{}: TNEF kept as it is", where(path)));
      return false;
    }
    leaves_ += contents.files.size();
    for (TnefFile& file : contents.files) {
      std::string type = content_type_for_filename(file.filename);
      add_file(std::move(file.filename), std::move(type), std::move(file.data));
    }
    return true;
  }

  void add_file(std::string filename, std::string type, std::string data) {
    ExtractedFile file;
    file.filename = std::move(filename);
    file.content_type = std::move(type);
    file.sha256_hex = sha256_hex(data);
    file.size = data.size();
    file.data = std::move(data);
    message_.files.push_back(std::move(file));
    count_file_bytes(message_.files.back().size);
  }

  std::uint64_t file_bytes_left() const {
    return limits_.max_file_bytes - std::min(limits_.max_file_bytes, file_bytes_);
  }

  std::string file_bytes_over_limit() const {
    return fmt::format("limits.max_file_bytes: files larger than {} bytes in total",
                       limits_.max_file_bytes);
  }

  void count_file_bytes(std::uint64_t size) {
    file_bytes_ += size;
    if (file_bytes_ > limits_.max_file_bytes) set_over_limit(file_bytes_over_limit());
  }

 public:
  // Over a limit the message is held, never registered in part: whatever was extracted goes.
  void drop_files_if_over_limit() {
    if (!over_limit()) return;
    for (const FileSink::Target& target : spooled_) sink_->discard(target);
    spooled_.clear();
    message_.files.clear();
  }

 private:
  const ExtractLimits& limits_;
  ParsedMessage& message_;
  FileSink* sink_;
  std::size_t leaves_ = 0;  // MIME leaves and TNEF inner files
  std::uint64_t file_bytes_ = 0;
  std::vector<FileSink::Target> spooled_;
  int nameless_ = 0;
  std::string path_;
};

std::string describe_warning(GMimeParserWarning code) {
  switch (code) {
    case GMIME_WARN_DUPLICATED_HEADER:
      return "duplicated header";
    case GMIME_WARN_DUPLICATED_PARAMETER:
      return "duplicated parameter";
    case GMIME_WARN_UNENCODED_8BIT_HEADER:
      return "unencoded 8-bit header";
    case GMIME_WARN_INVALID_CONTENT_TYPE:
      return "invalid Content-Type";
    case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE:
      return "invalid RFC 2047 header value";
    case GMIME_WARN_MALFORMED_MULTIPART:
      return "multipart without parts or closing boundary";
    case GMIME_WARN_TRUNCATED_MESSAGE:
      return "message truncated";
    case GMIME_WARN_MALFORMED_MESSAGE:
      return "malformed message";
    case GMIME_CRIT_INVALID_HEADER_NAME:
      return "invalid header name";
    case GMIME_CRIT_CONFLICTING_HEADER:
      return "conflicting header";
    case GMIME_CRIT_CONFLICTING_PARAMETER:
      return "conflicting parameter";
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
      return "multipart without boundary";
    case GMIME_WARN_INVALID_PARAMETER:
      return "invalid parameter";
    case GMIME_WARN_INVALID_ADDRESS_LIST:
      return "invalid address list";
    case GMIME_CRIT_NESTING_OVERFLOW:
      return "MIME nesting too deep for GMime";
    case GMIME_WARN_PART_WITHOUT_CONTENT:
      return "part without content";
    case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
      return "part without headers or content";
  }
  return "unknown parser warning";
}

struct ParserWarnings {
  std::vector<std::string> lines;
  bool nesting_overflow = false;
  gint64 message_start = 0;  // GMime counts from the start of the file, we from the message's
};

void on_parser_warning(gint64 offset, GMimeParserWarning code, const gchar* item,
                       gpointer user_data) {
  auto* warnings = static_cast<ParserWarnings*>(user_data);
  if (code == GMIME_CRIT_NESTING_OVERFLOW) warnings->nesting_overflow = true;
  constexpr std::size_t kMaxWarnings = 50;
  if (warnings->lines.size() >= kMaxWarnings) return;
  std::string line = offset >= 0
                         ? fmt::format("GMime at byte {}: {}", offset - warnings->message_start,
                                       describe_warning(code))
                         : fmt::format("GMime: {}", describe_warning(code));
  if (item != nullptr && *item != '\0') {
    line += fmt::format(" ({})", std::string_view(item).substr(0, 60));
  }
  warnings->lines.push_back(std::move(line));
}

// What GMime made of the bytes: a whole message, or failing that a lone MIME entity.
struct GMimeTree {
  GObjectPtr<GMimeMessage> message;
  GObjectPtr<GMimeObject> entity;  // set only when no message could be built
  GMimeObject* root() const {
    return message ? g_mime_message_get_mime_part(message.get()) : entity.get();
  }
};

// GMime can refuse to build a message (a damaged header block); the same bytes parsed as
// one MIME entity still give the parts, so the files are found. `open_stream` returns a new
// stream over the bytes, positioned at their start, each time it is called.
template <typename OpenStream>
GMimeTree parse_with_gmime(OpenStream open_stream, ParserWarnings& warnings) {
  std::unique_ptr<GMimeParserOptions, ParserOptionsFree> options(g_mime_parser_options_new());
  g_mime_parser_options_set_warning_callback(options.get(), on_parser_warning, &warnings);
  GMimeTree tree;
  {
    GObjectPtr<GMimeStream> stream(open_stream());
    GObjectPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
    g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
    tree.message.reset(g_mime_parser_construct_message(parser.get(), options.get()));
  }
  if (!tree.message) {
    GObjectPtr<GMimeStream> stream(open_stream());
    GObjectPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
    tree.entity.reset(g_mime_parser_construct_part(parser.get(), options.get()));
  }
  return tree;
}

// The files of a parsed tree, into `message` (its header facts are already filled in).
void collect_files(const GMimeTree& tree, const ParserWarnings& warnings,
                   const ExtractLimits& limits, ParsedMessage& message, FileSink* sink) {
  message.defects.insert(message.defects.end(), warnings.lines.begin(), warnings.lines.end());
  GMimeObject* body = tree.root();
  if (body == nullptr) {
    message.defects.push_back("GMime could not parse the message; no files extracted");
    message.top_content_type = "text/plain";
    return;
  }
  if (!tree.message) {
    message.defects.push_back("GMime could not build a message; parsed as one MIME entity");
  }
  message.top_content_type = mime_type_of(body);
  TreeWalker walker(limits, message, sink);
  walker.walk(body, 0, "");
  if (warnings.nesting_overflow && !message.over_limit) {
    message.over_limit = "limits.max_depth: MIME nesting deeper than GMime parses";
  }
  walker.drop_files_if_over_limit();
}

std::string first_field(const HeaderBlock& block, std::string_view name) {
  for (const HeaderField& field : block.fields) {
    if (field.name.size() == name.size() && ascii::lower(field.name) == ascii::lower(name))
      return field.value;
  }
  return {};
}

std::optional<std::string> return_path_of(const HeaderBlock& block) {
  for (const HeaderField& field : block.fields) {
    if (ascii::lower(field.name) != "return-path") continue;
    const std::string& value = field.value;
    const std::size_t open = value.find('<');
    const std::size_t close = value.find('>', open == std::string::npos ? 0 : open);
    if (open != std::string::npos && close != std::string::npos) {
      return value.substr(open + 1, close - open - 1);
    }
    return value;
  }
  return std::nullopt;
}

struct Mailbox {
  std::string address;
  std::string display;
};

Mailbox first_mailbox(const std::string& raw) {
  std::vector<std::string> ignored;  // an odd address list is not a defect of the message
  MailboxAddress mailbox = parse_first_mailbox(raw, ignored);
  return {std::move(mailbox.addr_spec), std::move(mailbox.display_name)};
}

std::string message_id_of(const std::string& raw) {
  const std::size_t open = raw.find('<');
  const std::size_t close = raw.find('>', open == std::string::npos ? 0 : open);
  if (open != std::string::npos && close != std::string::npos) {
    return raw.substr(open, close - open + 1);
  }
  return raw.empty() ? "" : "<" + raw + ">";
}

void fill_header_facts(const HeaderBlock& block, ParsedMessage& message) {
  message.headers = block.fields;
  message.subject = decode_header_text(first_field(block, "Subject"), message.defects);
  message.message_id = message_id_of(first_field(block, "Message-ID"));
  const Mailbox from = first_mailbox(first_field(block, "From"));
  message.from_address = from.address;
  message.from_display = from.display;
  message.reply_to_address = first_mailbox(first_field(block, "Reply-To")).address;
  message.return_path = return_path_of(block);
  message.in_reply_to = first_field(block, "In-Reply-To");
  message.references = first_field(block, "References");
}

StructureLimits structure_limits(const ExtractLimits& limits) {
  StructureLimits structure;
  structure.max_parts = limits.max_parts;
  structure.max_depth = limits.max_depth;
  structure.max_header_bytes = limits.max_header_bytes;
  structure.max_header_field_bytes = limits.max_header_field_bytes;
  structure.max_header_lines = limits.max_header_lines;
  return structure;
}

HeaderBlockLimits header_limits(const ExtractLimits& limits) {
  return {limits.max_header_bytes, limits.max_header_field_bytes, limits.max_header_lines};
}

// A message over a limit, held without GMime ever seeing it: the header facts read within
// the limits, no files.
void hold(ParsedMessage& message, const HeaderBlock& block, std::string over_limit) {
  std::vector<std::string> ignored;
  const std::string declared =
      parse_parameterized_value(first_field(block, "Content-Type"), ignored).value;
  message.top_content_type = is_valid_mime_type(declared) ? declared : "text/plain";
  message.over_limit = std::move(over_limit);
}

constexpr std::size_t kHeaderSlack = 64 * 1024;

[[noreturn]] void fail_reading(const char* what) {
  throw std::system_error(errno ? errno : EIO, std::generic_category(),
                          std::string("message file: ") + what);
}

std::uint64_t file_size(int fd) {
  struct stat status {};
  if (::fstat(fd, &status) != 0) fail_reading("stat");
  return static_cast<std::uint64_t>(status.st_size);
}

// Bytes read from the message file, not zeroed first (a message is read whole at most once).
struct FileBytes {
  std::unique_ptr<char[]> data;
  std::size_t size = 0;
  std::string_view view() const { return {data.get(), size}; }
};

// Up to `length` bytes from `offset` on.
FileBytes read_range(int fd, std::uint64_t offset, std::uint64_t length) {
  FileBytes bytes{std::make_unique_for_overwrite<char[]>(static_cast<std::size_t>(length)), 0};
  while (bytes.size < length) {
    const ssize_t got = ::pread(fd, bytes.data.get() + bytes.size, length - bytes.size,
                                static_cast<off_t>(offset + bytes.size));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) fail_reading("read");
    if (got == 0) break;
    bytes.size += static_cast<std::size_t>(got);
  }
  return bytes;
}

struct RangeScan {
  std::string sha256_hex;
  std::optional<std::string> over_limit;
};

// The SHA-256 and the structure scan of a range of the file, read once in pieces.
RangeScan scan_range(int fd, std::uint64_t offset, std::uint64_t length,
                     const ExtractLimits& limits) {
  constexpr std::size_t kPiece = 256 * 1024;
  const auto piece = std::make_unique_for_overwrite<char[]>(kPiece);
  Sha256Stream sha256;
  MimeStructureScanner structure(structure_limits(limits));
  std::uint64_t done = 0;
  while (done < length) {
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(kPiece, length - done));
    const ssize_t got = ::pread(fd, piece.get(), want, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) fail_reading("read");
    if (got == 0) break;
    const std::string_view bytes(piece.get(), static_cast<std::size_t>(got));
    sha256.update(bytes);
    structure.feed(bytes);  // returns at once after a limit
    done += static_cast<std::uint64_t>(got);
  }
  structure.finish();
  return {sha256.finish_hex(), structure.over_limit()};
}

bool has_header_end(std::string_view head) {
  return head.find("\n\n") != std::string_view::npos ||
         head.find("\n\r\n") != std::string_view::npos;
}

}  // namespace

ParsedMessage extract_message_from_file(int fd, const ExtractLimits& limits, FileSink& sink) {
  return extract_message_from_file(fd, 0, file_size(fd), limits, sink);
}

ParsedMessage extract_message_from_file(int fd, std::uint64_t offset, std::uint64_t length,
                                        const ExtractLimits& limits, FileSink& sink) {
  ensure_gmime_initialised();
  if (length <= limits.whole_in_memory_bytes) {
    return extract_message(read_range(fd, offset, length).view(), limits);
  }
  const RangeScan scan = scan_range(fd, offset, length, limits);
  const FileBytes head = read_range(
      fd, offset, std::min<std::uint64_t>(length, limits.max_header_bytes + kHeaderSlack));
  HeaderBlock block = split_header_block(head.view(), header_limits(limits));
  if (scan.over_limit) {
    ParsedMessage message;
    message.defects = block.defects;
    fill_header_facts(block, message);
    message.raw_sha256_hex = scan.sha256_hex;
    hold(message, block, *scan.over_limit);
    return message;
  }
  if (block.needs_repair || !has_header_end(head.view())) {
    return extract_message(read_range(fd, offset, length).view(), limits);
  }
  ParsedMessage message;
  message.defects = block.defects;
  fill_header_facts(block, message);
  message.raw_sha256_hex = scan.sha256_hex;

  // Explicit bounds: a duplicate shares the file offset, which the spool writer left at the end.
  const auto start = static_cast<gint64>(offset);
  const auto end = static_cast<gint64>(offset + length);
  const auto open_file_stream = [fd, start, end] {
    const int own = ::dup(fd);
    if (own < 0) fail_reading("dup");
    return g_mime_stream_fs_new_with_bounds(own, start, end);  // closes `own`
  };
  ParserWarnings warnings;
  warnings.message_start = start;
  const GMimeTree tree = parse_with_gmime(open_file_stream, warnings);
  collect_files(tree, warnings, limits, message, &sink);
  return message;
}

ParsedMessage extract_message(std::string_view raw, const ExtractLimits& limits) {
  ensure_gmime_initialised();
  ParsedMessage message;
  message.raw_sha256_hex = sha256_hex(raw);
  const StructureScan scan = scan_mime_structure(raw, structure_limits(limits));
  HeaderBlock block = split_header_block(raw, header_limits(limits));
  message.defects = block.defects;
  fill_header_facts(block, message);
  if (scan.over_limit || block.over_limit) {
    hold(message, block, scan.over_limit ? *scan.over_limit : *block.over_limit);
    return message;
  }

  const std::string rebuilt = block.needs_repair ? rebuild_message(block, raw) : std::string();
  const std::string_view to_parse = block.needs_repair ? std::string_view(rebuilt) : raw;
  const auto open_memory_stream = [to_parse] {
    return g_mime_stream_mem_new_with_buffer(to_parse.data(), to_parse.size());
  };
  ParserWarnings warnings;
  const GMimeTree tree = parse_with_gmime(open_memory_stream, warnings);
  collect_files(tree, warnings, limits, message, nullptr);
  return message;
}

ParsedMessage extract_header_facts(std::string_view head) {
  ParsedMessage message;
  message.raw_sha256_hex = sha256_hex(head);
  HeaderBlock block = split_header_block(head, HeaderBlockLimits{});
  message.defects = block.defects;
  fill_header_facts(block, message);
  return message;
}

}  // namespace contribd::mime
