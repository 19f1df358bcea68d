#include "parsers/xml_stream.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <exception>

#include "parsers/bounded_defects.h"

namespace contribd::xml {

namespace {

constexpr std::size_t kMaxProblemBytes = 300;

std::string_view text_of(const xmlChar* text) {
  return text == nullptr ? std::string_view()
                         : std::string_view(reinterpret_cast<const char*>(text));
}

// Looks at the bytes before the parser gets them: a lexer that knows only tags, quoted values,
// comments, CDATA sections, processing instructions and declarations, one byte at a time, its
// state kept from one piece of input to the next. It stops the input where a DOCTYPE begins
// (whatever state libxml2 is in, no DTD reaches it), and where a start tag gets one attribute
// too many.
class MarkupGuard {
 public:
  enum class Verdict { fine, doctype, too_many_attributes };

  // How many of `bytes` may go to the parser: all, or those before the byte that tripped it.
  std::size_t scan(std::string_view bytes) {
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      const char c = bytes[i];
      switch (state_) {
        case State::text:
          if (c == '<') state_ = State::open;
          break;
        case State::open:
          run_ = 0;
          if (c == '!') {
            state_ = State::bang;
          } else if (c == '?') {
            state_ = State::instruction;
          } else {
            state_ = c == '>' ? State::text : State::tag;
            attributes_ = 0;
          }
          break;
        case State::tag:
          if (c == '"' || c == '\'') {
            quote_ = c;
            state_ = State::quoted;
          } else if (c == '=') {
            if (++attributes_ > kMaxAttributesPerTag) return trip(Verdict::too_many_attributes, i);
          } else if (c == '>') {
            state_ = State::text;
          }
          break;
        case State::quoted:
          if (c == quote_) state_ = State::tag;
          break;
        case State::bang:  // "<!--", "<![CDATA[", "<!DOCTYPE"
          if (c == 'D') return trip(Verdict::doctype, i);
          state_ = c == '-' ? State::comment : c == '[' ? State::cdata : State::declaration;
          break;
        case State::comment:  // ends at "-->"
        case State::cdata:    // ends at "]]>"
          if (c == (state_ == State::comment ? '-' : ']')) {
            ++run_;
          } else if (c == '>' && run_ >= 2) {
            state_ = State::text;
          } else {
            run_ = 0;
          }
          break;
        case State::instruction:  // ends at "?>"
          if (c == '>' && run_ > 0) {
            state_ = State::text;
          } else {
            run_ = c == '?' ? 1 : 0;
          }
          break;
        case State::declaration:
          if (c == '>') state_ = State::text;
          break;
      }
    }
    return bytes.size();
  }

  Verdict verdict() const { return verdict_; }

 private:
  enum class State { text, open, tag, quoted, bang, comment, cdata, instruction, declaration };

  std::size_t trip(Verdict verdict, std::size_t at) {
    verdict_ = verdict;
    return at;
  }

  State state_ = State::text;
  Verdict verdict_ = Verdict::fine;
  char quote_ = 0;
  int run_ = 0;  // '-', ']' or '?' just seen, towards the end of a comment, CDATA or PI
  std::size_t attributes_ = 0;
};

struct Session {
  const XmlSource* source = nullptr;
  XmlHandler* handler = nullptr;
  xmlParserCtxtPtr context = nullptr;
  MarkupGuard guard;
  bool doctype = false;  // seen by the parser: in UTF-16, which the guard does not read
  bool fatal_error = false;
  std::exception_ptr failure;  // thrown by the handler, rethrown once libxml2 is cleaned up
  std::string first_error;

  bool stopped() const { return handler->finished || doctype || failure != nullptr; }

  template <typename Call>
  static void guarded(void* user, Call&& call) {
    auto* session = static_cast<Session*>(user);
    if (session->stopped()) return;
    try {
      call(*session->handler);
    } catch (...) {
      session->failure = std::current_exception();
    }
    if (session->stopped()) xmlStopParser(session->context);
  }

  // Nothing more once the guard tripped or the parser met a fatal error: libxml2 goes on after
  // one with the callbacks off, and would otherwise read on to the end.
  static int read(void* user, char* buffer, int size) {
    auto* session = static_cast<Session*>(user);
    if (size <= 0 || session->fatal_error ||
        session->guard.verdict() != MarkupGuard::Verdict::fine) {
      return 0;
    }
    const std::size_t got = (*session->source)(buffer, static_cast<std::size_t>(size));
    return static_cast<int>(session->guard.scan(std::string_view(buffer, got)));
  }

  static void start_element(void* user, const xmlChar* name, const xmlChar*, const xmlChar* ns, int,
                            const xmlChar**, int attribute_count, int, const xmlChar** attributes) {
    guarded(user, [&](XmlHandler& handler) {
      handler.start(text_of(ns), text_of(name), Attributes(attributes, attribute_count));
    });
  }

  static void end_element(void* user, const xmlChar* name, const xmlChar*, const xmlChar* ns) {
    guarded(user, [&](XmlHandler& handler) { handler.end(text_of(ns), text_of(name)); });
  }

  static void characters(void* user, const xmlChar* text, int length) {
    guarded(user, [&](XmlHandler& handler) {
      handler.text(
          std::string_view(reinterpret_cast<const char*>(text), static_cast<std::size_t>(length)));
    });
  }

  // Called at "<!DOCTYPE name ...", before the internal subset is parsed.
  static void internal_subset(void* user, const xmlChar*, const xmlChar*, const xmlChar*) {
    auto* session = static_cast<Session*>(user);
    session->doctype = true;
    xmlStopParser(session->context);
  }

  // Not xmlStopParser() here: libxml2 2.9 may still use the input it would free (an unsupported
  // encoding crashes it so). The input ends instead, see read().
  static void error(void* user, xmlErrorPtr error) {
    auto* session = static_cast<Session*>(user);
    if (session == nullptr || error == nullptr) return;
    if (error->level == XML_ERR_FATAL) session->fatal_error = true;
    if (!session->first_error.empty()) return;
    try {
      std::string text = error->message != nullptr ? error->message : "not well-formed";
      while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
      if (error->line > 0) text = "line " + std::to_string(error->line) + ": " + text;
      session->first_error = mime::excerpt_for_defect(text, kMaxProblemBytes);
    } catch (...) {
      // Out of memory while keeping the message: the outcome says enough.
    }
  }
};

void initialise_libxml2() {
  static const bool initialised = [] {
    xmlInitParser();
    return true;
  }();
  (void)initialised;
}

}  // namespace

std::optional<std::string_view> Attributes::find(std::string_view local_name) const {
  // libxml2 gives five pointers per attribute: local name, prefix, namespace, value, value end.
  const auto* values = static_cast<const xmlChar* const*>(values_);
  for (int i = 0; i < count_; ++i) {
    const xmlChar* const* attribute = values + 5 * i;
    if (text_of(attribute[0]) == local_name) {
      return std::string_view(reinterpret_cast<const char*>(attribute[3]),
                              static_cast<std::size_t>(attribute[4] - attribute[3]));
    }
  }
  return std::nullopt;
}

XmlReading stream_xml(const XmlSource& source, XmlHandler& handler) {
  initialise_libxml2();
  xmlSAXHandler sax{};
  sax.initialized = XML_SAX2_MAGIC;
  sax.startElementNs = &Session::start_element;
  sax.endElementNs = &Session::end_element;
  sax.characters = &Session::characters;
  sax.ignorableWhitespace = &Session::characters;
  sax.internalSubset = &Session::internal_subset;
  sax.serror = &Session::error;

  Session session;
  session.source = &source;
  session.handler = &handler;
  // Encoding and I/O errors are reported outside the parser's context, to this thread's
  // structured handler: it takes them during the parse, instead of stderr.
  const xmlStructuredErrorFunc previous_handler = xmlStructuredError;
  void* const previous_context = xmlStructuredErrorContext;
  xmlSetStructuredErrorFunc(&session, &Session::error);
  xmlParserCtxtPtr context = xmlCreateIOParserCtxt(&sax, &session, &Session::read, nullptr,
                                                   &session, XML_CHAR_ENCODING_NONE);
  bool well_formed = false;
  if (context != nullptr) {
    session.context = context;
    // Not XML_PARSE_NOENT, DTDLOAD, DTDATTR or HUGE: entities stay unexpanded, no DTD is loaded,
    // and libxml2's limits stay on. CDATA comes as text.
    xmlCtxtUseOptions(
        context, XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    xmlParseDocument(context);
    well_formed = context->wellFormed != 0 && !session.fatal_error;
    xmlFreeDoc(context->myDoc);  // made by libxml2 for entity declarations it met, if any
    context->myDoc = nullptr;
    xmlFreeParserCtxt(context);
  }
  xmlSetStructuredErrorFunc(previous_context, previous_handler);
  if (session.failure) std::rethrow_exception(session.failure);

  XmlReading reading;
  if (session.doctype || session.guard.verdict() == MarkupGuard::Verdict::doctype) {
    reading.outcome = XmlOutcome::doctype;
    reading.problem = "has a DOCTYPE, which OOXML does not allow";
  } else if (session.guard.verdict() == MarkupGuard::Verdict::too_many_attributes) {
    reading.outcome = XmlOutcome::too_many_attributes;
    reading.problem =
        "a start tag with more than " + std::to_string(kMaxAttributesPerTag) + " attributes";
  } else if (handler.finished || (context != nullptr && well_formed)) {
    reading.outcome = XmlOutcome::complete;
  } else {
    reading.outcome = XmlOutcome::malformed;
    reading.problem = session.first_error.empty() ? "not well-formed" : session.first_error;
  }
  return reading;
}

}  // namespace contribd::xml
