// XML from strangers (the parts of a .docx), read as a stream of events: libxml2's SAX parser
// in pull mode takes its bytes from a callback, so memory does not grow with the document, and
// the handler can stop the parse as soon as it has what it needs.
// No DTD: the input is cut where "<!D" begins, before libxml2 sees it (and its callback refuses
// a DOCTYPE in UTF-16, which the cut does not read), so no entity is ever declared, let alone
// expanded, and nothing is fetched. libxml2's own limits apply: 256 levels of nesting, names of
// 50,000 bytes, text nodes and attribute values of 10 MB. A start tag with more than 256
// attributes (namespace declarations included) is cut the same way, because libxml2 2.9 checks
// them for duplicates in quadratic time. After the first fatal error no more input is read.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace contribd::xml {

inline constexpr std::size_t kMaxAttributesPerTag = 256;

// The attributes of one start tag, as the parser holds them while the handler runs.
class Attributes {
 public:
  Attributes(const void* values, int count) : values_(values), count_(count) {}
  // The value of the first attribute with this local name, whatever its namespace.
  std::optional<std::string_view> find(std::string_view local_name) const;

 private:
  const void* values_;
  int count_;
};

// Elements come with their namespace name (not the prefix); text is character data and CDATA,
// UTF-8, in as many pieces as the parser likes.
class XmlHandler {
 public:
  virtual ~XmlHandler() = default;
  virtual void start(std::string_view ns, std::string_view name, const Attributes& attributes) = 0;
  virtual void end(std::string_view ns, std::string_view name) = 0;
  virtual void text(std::string_view text) = 0;
  // Set by the handler when it has what it needs: the parse stops there, and that is success.
  bool finished = false;
};

// Fills `buffer` with up to `size` bytes and returns how many; 0 at the end of the input, and
// also when the source gives up (it keeps the reason for its caller).
using XmlSource = std::function<std::size_t(char* buffer, std::size_t size)>;

enum class XmlOutcome {
  complete,             // read to its end, well-formed, or stopped by the handler
  doctype,              // has a DOCTYPE
  too_many_attributes,  // a start tag beyond kMaxAttributesPerTag
  malformed,            // not well-formed XML (or the source ended early)
};

struct XmlReading {
  XmlOutcome outcome = XmlOutcome::malformed;
  std::string problem;  // "line 3: Opening and ending tag mismatch: p and r"; empty when complete
};

// Parses what `source` gives into `handler`. An exception thrown by the handler ends the parse
// and comes out of this call (libxml2 is cleaned up first); nothing else throws.
XmlReading stream_xml(const XmlSource& source, XmlHandler& handler);

}  // namespace contribd::xml
