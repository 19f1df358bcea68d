// The floor for fetching a backlog: one verified TLS connection, LOGIN, EXAMINE, then a
// single `UID FETCH 1:* BODY.PEEK[]`, every literal read and thrown away. Blocking OpenSSL,
// one 256 KiB buffer, no parsing beyond finding literals and the tagged answer: nothing a
// real client could skip. scripts/bench-backlog compares `contribd run --once` with it.
//
// Usage: bench_raw_fetch HOST PORT CA_FILE USER PASSWORD_FILE FOLDER
// Prints one JSON line: {"messages": N, "bytes": B, "fetch_seconds": S}. Any failure (connect,
// TLS, verification, a NO/BAD answer) prints one line on stderr and exits 1.
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "bench_raw_fetch: %s\n", what.c_str());
  ERR_print_errors_fp(stderr);
  std::exit(1);
}

int connect_tcp(const std::string& host, const std::string& port) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0) die("cannot resolve " + host);
  for (addrinfo* entry = found; entry; entry = entry->ai_next) {
    const int fd = socket(entry->ai_family, entry->ai_socktype, entry->ai_protocol);
    if (fd >= 0 && connect(fd, entry->ai_addr, entry->ai_addrlen) == 0) {
      freeaddrinfo(found);
      return fd;
    }
    if (fd >= 0) close(fd);
  }
  freeaddrinfo(found);
  die("cannot connect to " + host + ":" + port);
}

// Reads the server's bytes through one buffer and hands out lines; literals are skipped.
class Reader {
 public:
  explicit Reader(SSL* ssl) : ssl_(ssl), buffer_(256 * 1024) {}

  std::string line() {
    std::string text;
    for (;;) {
      if (start_ == end_) fill();
      const char* from = buffer_.data() + start_;
      const void* newline = std::memchr(from, '\n', end_ - start_);
      if (newline) {
        const std::size_t length = static_cast<const char*>(newline) - from;
        text.append(from, length);
        start_ += length + 1;
        if (!text.empty() && text.back() == '\r') text.pop_back();
        return text;
      }
      text.append(from, end_ - start_);
      start_ = end_;
    }
  }

  void skip(std::size_t count) {
    while (count > 0) {
      if (start_ == end_) fill();
      const std::size_t step = std::min(count, end_ - start_);
      start_ += step;
      count -= step;
    }
  }

 private:
  void fill() {
    const int got = SSL_read(ssl_, buffer_.data(), static_cast<int>(buffer_.size()));
    if (got <= 0) die("connection closed by the server");
    start_ = 0;
    end_ = static_cast<std::size_t>(got);
  }

  SSL* ssl_;
  std::vector<char> buffer_;
  std::size_t start_ = 0;
  std::size_t end_ = 0;
};

// The literal size announced at the end of a line ("... {12345}"), or -1.
long long announced_literal(std::string_view line) {
  if (line.size() < 3 || line.back() != '}') return -1;
  const std::size_t open = line.rfind('{');
  if (open == std::string_view::npos) return -1;
  return std::strtoll(std::string(line.substr(open + 1)).c_str(), nullptr, 10);
}

struct Answer {
  long long literals = 0;
  long long literal_bytes = 0;
};

// Sends "TAG command" and reads to the tagged answer; dies unless it is OK.
Answer command(SSL* ssl, Reader& reader, const std::string& tag, const std::string& text) {
  const std::string wire = tag + " " + text + "\r\n";
  if (SSL_write(ssl, wire.data(), static_cast<int>(wire.size())) <= 0) die("write failed");
  Answer answer;
  for (;;) {
    const std::string line = reader.line();
    const long long literal = announced_literal(line);
    if (literal >= 0) {
      reader.skip(static_cast<std::size_t>(literal));
      ++answer.literals;
      answer.literal_bytes += literal;
      continue;
    }
    if (line.starts_with(tag + " ")) {
      if (line.compare(tag.size() + 1, 2, "OK") != 0) die(tag + ": " + line);
      return answer;
    }
  }
}

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) die("usage: bench_raw_fetch HOST PORT CA_FILE USER PASSWORD_FILE FOLDER");
  const std::string host = argv[1], port = argv[2], ca_file = argv[3], user = argv[4];
  std::ifstream password_stream(argv[5]);
  if (!password_stream) die(std::string("cannot read ") + argv[5]);
  std::string password((std::istreambuf_iterator<char>(password_stream)), {});
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) {
    password.pop_back();
  }

  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  if (SSL_CTX_load_verify_locations(context, ca_file.c_str(), nullptr) != 1) die("CA " + ca_file);
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
  SSL* ssl = SSL_new(context);
  X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str());
  SSL_set_fd(ssl, connect_tcp(host, port));
  if (SSL_connect(ssl) != 1) die("TLS handshake with " + host + ":" + port);

  Reader reader(ssl);
  reader.line();  // greeting
  command(ssl, reader, "A1", "LOGIN " + quoted(user) + " " + quoted(password));
  command(ssl, reader, "A2", "EXAMINE " + quoted(argv[6]));
  const auto start = std::chrono::steady_clock::now();
  const Answer fetched = command(ssl, reader, "A3", "UID FETCH 1:* BODY.PEEK[]");
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  command(ssl, reader, "A4", "LOGOUT");
  std::printf("{\"messages\": %lld, \"bytes\": %lld, \"fetch_seconds\": %.4f}\n", fetched.literals,
              fetched.literal_bytes, elapsed.count());
  SSL_free(ssl);
  SSL_CTX_free(context);
  return 0;
}
