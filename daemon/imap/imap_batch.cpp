// The Session commands over UID sets: fetch_batch (the bodies streamed into one spool file) and
// move_batch.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "daemon/imap/imap_session.h"
#include "parsers/imap_date.h"

namespace contribd::imap {
namespace {

namespace asio = boost::asio;

constexpr std::size_t kMaxLine = 1 << 20;
constexpr std::size_t kMaxExcerpt = 120;

std::string excerpt(std::string_view bytes) {
  std::string out;
  for (char c : bytes.substr(0, kMaxExcerpt)) {
    const auto byte = static_cast<unsigned char>(c);
    out += (byte < 0x20 || byte == 0x7f) ? '?' : c;
  }
  if (bytes.size() > kMaxExcerpt) out += "...";
  return out;
}

std::optional<std::uint32_t> as_uint32(const Value* value) {
  if (!value || value->kind != Value::Kind::number || value->number > UINT32_MAX) {
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(value->number);
}

// Sorted, distinct UIDs as an IMAP sequence set with ranges: "3:5,9,12:13".
std::string uid_set(const std::vector<std::uint32_t>& uids) {
  std::string set;
  for (std::size_t i = 0; i < uids.size();) {
    std::size_t last = i;
    while (last + 1 < uids.size() && uids[last + 1] == uids[last] + 1) ++last;
    if (!set.empty()) set += ',';
    set += last == i ? fmt::format("{}", uids[i]) : fmt::format("{}:{}", uids[i], uids[last]);
    i = last + 1;
  }
  return set;
}

// True when the line announcing a literal ends with "BODY[] {n}": the message itself.
bool announces_body(std::string_view line) {
  const std::size_t open = line.rfind('{');
  if (open == std::string_view::npos) return false;
  std::string_view before = line.substr(0, open);
  while (!before.empty() && before.back() == ' ') before.remove_suffix(1);
  constexpr std::string_view kBody = "BODY[]";
  if (before.size() < kBody.size()) return false;
  const std::string_view tail = before.substr(before.size() - kBody.size());
  return std::equal(tail.begin(), tail.end(), kBody.begin(), [](char a, char b) {
    return (a >= 'a' && a <= 'z' ? static_cast<char>(a - 32) : a) == b;
  });
}

}  // namespace

asio::awaitable<Response> Session::read_spooling_response(net::SpoolFile& spool,
                                                          std::optional<net::SpoolRange>& body) {
  for (;;) {
    body.reset();
    std::string bytes = co_await read_line(endpoint().timeout);
    std::size_t line_start = 0;
    while (auto length = announced_literal(std::string_view(bytes).substr(line_start))) {
      if (*length > kMaxLiteralBytes) {
        throw ImapError(fmt::format(
            "{}: server announced a literal of {} bytes, more than the {} bytes accepted", peer(),
            *length, kMaxLiteralBytes));
      }
      const bool to_spool = !body && announces_body(std::string_view(bytes).substr(line_start));
      try {
        if (to_spool) {
          body = net::SpoolRange{spool.size(), *length};
          co_await connection_->read_exact_to(static_cast<std::size_t>(*length), spool);
          // The parser sees an empty literal where the body was.
          bytes.replace(bytes.rfind('{'), std::string::npos, "{0}");
          bytes += "\r\n";
        } else {
          if (bytes.size() + *length > kMaxLiteralBytes + kMaxLine) {
            throw ImapError(
                fmt::format("{}: response with literals over {} bytes", peer(), kMaxLiteralBytes));
          }
          bytes += "\r\n";
          co_await connection_->read_exact(static_cast<std::size_t>(*length), bytes);
        }
      } catch (const net::NetError& e) {
        throw ImapError(e.what());
      }
      line_start = bytes.size();
      bytes += co_await read_line(endpoint().timeout);
    }
    ParseResult parsed = parse_response(bytes);
    if (parsed.response) co_return std::move(*parsed.response);
    if (bytes.starts_with("* ")) {
      spdlog::warn("IMAP {}: ignored an unreadable untagged response ({}): {}", peer(),
                   parsed.error, excerpt(bytes));
      continue;
    }
    throw ImapError(fmt::format("{}: unreadable response from the server ({}): {}", peer(),
                                parsed.error, excerpt(bytes)));
  }
}

asio::awaitable<SpooledBatch> Session::fetch_batch(std::vector<std::uint32_t> uids,
                                                   std::filesystem::path spool_folder) {
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  SpooledBatch batch;
  if (uids.empty()) co_return batch;
  batch.file = net::SpoolFile::create(spool_folder);
  const std::string set = uid_set(uids);
  const std::string what = fmt::format("UID FETCH {}", excerpt(set));
  const std::string tag = next_tag();
  spdlog::debug("IMAP {}: C: {} UID FETCH {} (BODY.PEEK[] INTERNALDATE)", peer(), tag,
                excerpt(set));
  co_await send(fmt::format("{} UID FETCH {} (BODY.PEEK[] INTERNALDATE)\r\n", tag, set));

  std::map<std::uint32_t, SpooledMessage> by_uid;
  for (;;) {
    std::optional<net::SpoolRange> body;
    Response response = co_await read_spooling_response(batch.file, body);
    if (response.kind == Response::Kind::continuation) {
      throw ImapError(fmt::format("{}: unexpected continuation request during {}", peer(), what));
    }
    if (response.kind == Response::Kind::tagged) {
      if (response.tag != tag) {
        throw ImapError(fmt::format("{}: answer for unknown tag {} during {} (tag {})", peer(),
                                    excerpt(response.tag), what, tag));
      }
      if (response.status != Status::ok) fail(what, response);
      break;
    }
    observe(response, what);
    const auto uid = as_uint32(fetch_attribute(response, "UID"));
    if (!body || !uid || !std::binary_search(uids.begin(), uids.end(), *uid)) continue;
    const Value* date = fetch_attribute(response, "INTERNALDATE");
    const auto date_text = date ? date->as_text() : std::nullopt;
    const auto received = date_text ? parse_internal_date(*date_text) : std::nullopt;
    if (!received) {
      throw ImapError(fmt::format("{}: {}: UID {}: unreadable INTERNALDATE \"{}\"", peer(), what,
                                  *uid, excerpt(date_text.value_or("NIL"))));
    }
    by_uid.insert_or_assign(*uid, SpooledMessage{*uid, *received, *body});
  }
  batch.messages.reserve(by_uid.size());
  for (auto& [uid, message] : by_uid) batch.messages.push_back(message);
  co_return batch;
}

asio::awaitable<void> Session::move_batch(std::vector<std::uint32_t> uids, std::string folder) {
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  if (uids.empty()) co_return;
  const std::string wire = folder_wire(folder);
  const std::string set = uid_set(uids);
  if (has_capability("MOVE")) {
    co_await run(fmt::format("UID MOVE {} {}", set, wire),
                 fmt::format("UID MOVE {} to {}", excerpt(set), wire));
    co_return;
  }
  co_await run(fmt::format("UID COPY {} {}", set, wire),
               fmt::format("UID COPY {} to {}", excerpt(set), wire));
  const std::string store = fmt::format("UID STORE {} +FLAGS.SILENT (\\Deleted)", set);
  co_await run(store, excerpt(store));
  if (has_capability("UIDPLUS")) {
    const std::string expunge = fmt::format("UID EXPUNGE {}", set);
    co_await run(expunge, excerpt(expunge));
  } else {
    co_await run("EXPUNGE", fmt::format("EXPUNGE after copying UIDs {} to {}", excerpt(set), wire));
  }
}

}  // namespace contribd::imap
