#include "parsers/xml_stream.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace contribd::xml {
namespace {

// Writes what it sees as "<{ns}name a=v>", "text", "</name>"; finishes at an element named
// `stop_at`, or throws there when `throw_at` names it.
class Recorder final : public XmlHandler {
 public:
  void start(std::string_view ns, std::string_view name, const Attributes& attributes) override {
    if (name == throw_at) throw std::runtime_error("handler failed");
    seen += "<";
    if (!ns.empty()) seen += "{" + std::string(ns) + "}";
    seen += name;
    if (const std::optional<std::string_view> a = attributes.find("a")) {
      seen += " a=" + std::string(*a);
    }
    seen += ">";
    if (name == stop_at) finished = true;
  }
  void end(std::string_view, std::string_view name) override {
    seen += "</" + std::string(name) + ">";
  }
  void text(std::string_view text) override { seen += text; }

  std::string seen;
  std::string stop_at;
  std::string throw_at;
};

// A source that gives `xml` at most `piece` bytes at a time.
XmlSource source_of(const std::string& xml, std::size_t piece = 4096) {
  auto position = std::make_shared<std::size_t>(0);
  return [&xml, piece, position](char* buffer, std::size_t size) {
    const std::size_t count = std::min({size, piece, xml.size() - *position});
    xml.copy(buffer, count, *position);
    *position += count;
    return count;
  };
}

XmlReading parse(const std::string& xml, Recorder& recorder, std::size_t piece = 4096) {
  return stream_xml(source_of(xml, piece), recorder);
}

std::string repeat(std::string_view piece, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += piece;
  return out;
}

std::string tag_with_attributes(int count) {
  std::string xml = "<r";
  for (int i = 0; i < count; ++i) xml += " a" + std::to_string(i) + "=\"v\"";
  return xml + "/>";
}

TEST(XmlStream, ElementsNamespacesTextAndCdata) {
  Recorder recorder;
  const std::string xml =
      "<?xml version=\"1.0\"?><w:r xmlns:w=\"urn:w\"><w:t a=\"1\">x &amp; y</w:t>"
      "<![CDATA[<raw>]]><!-- note --><?pi data?></w:r>";
  const XmlReading reading = parse(xml, recorder);
  EXPECT_EQ(reading.outcome, XmlOutcome::complete);
  EXPECT_EQ(reading.problem, "");
  EXPECT_EQ(recorder.seen, "<{urn:w}r><{urn:w}t a=1>x & y</t><raw></r>");
}

TEST(XmlStream, TheHandlerStopsTheParse) {
  Recorder recorder;
  recorder.stop_at = "b";
  const XmlReading reading = parse("<r><b/><c/></r> and nothing well-formed <<<", recorder);
  EXPECT_EQ(reading.outcome, XmlOutcome::complete);
  EXPECT_EQ(recorder.seen, "<r><b>");
}

TEST(XmlStream, DoctypeEndsTheParseBeforeItsSubset) {
  Recorder recorder;
  const XmlReading reading = parse(
      "<!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><r>&b;</r>", recorder);
  EXPECT_EQ(reading.outcome, XmlOutcome::doctype);
  EXPECT_EQ(recorder.seen, "");
}

TEST(XmlStream, NoDoctypeReachesTheParserAfterAFatalError) {
  // libxml2 reads on after a fatal error with the callbacks off, so its own DOCTYPE callback
  // would not refuse this one.
  for (const char* declaration :
       {"<?xml version=\"0.0\"?>", "<?xml version=\"1.0\" encoding=\"UTF-7\"?>"}) {
    SCOPED_TRACE(declaration);
    Recorder recorder;
    const XmlReading reading =
        parse(std::string(declaration) +
                  "<!DOCTYPE r [<!ENTITY a \"x\"><!ENTITY b \"&a;&a;\">]><r>&b;</r>",
              recorder);
    EXPECT_NE(reading.outcome, XmlOutcome::complete);
    EXPECT_EQ(recorder.seen, "");
  }
}

TEST(XmlStream, DoctypeInUtf16IsRefusedByTheParser) {
  const std::string text =
      "<?xml version=\"1.0\" encoding=\"UTF-16\"?><!DOCTYPE r [<!ENTITY a \"x\">]><r>&a;</r>";
  std::string utf16 = "\xFF\xFE";
  for (const char c : text) {
    utf16 += c;
    utf16 += '\0';
  }
  Recorder recorder;
  EXPECT_EQ(parse(utf16, recorder).outcome, XmlOutcome::doctype);
  EXPECT_EQ(recorder.seen, "");
}

TEST(XmlStream, UndeclaredEntitiesAreErrors) {
  Recorder recorder;
  const XmlReading reading = parse("<r>&lol9;</r>", recorder);
  EXPECT_EQ(reading.outcome, XmlOutcome::malformed);
  EXPECT_NE(reading.problem.find("lol9"), std::string::npos) << reading.problem;
}

TEST(XmlStream, NestingStopsAt256Levels) {
  Recorder recorder;
  EXPECT_EQ(parse(repeat("<a>", 256) + repeat("</a>", 256), recorder).outcome,
            XmlOutcome::complete);
  const XmlReading reading = parse(repeat("<a>", 100'000) + repeat("</a>", 100'000), recorder);
  EXPECT_EQ(reading.outcome, XmlOutcome::malformed);
  EXPECT_NE(reading.problem.find("depth"), std::string::npos) << reading.problem;
}

TEST(XmlStream, AttributesPerTagAreCountedBeforeTheParserSeesThem) {
  Recorder recorder;
  EXPECT_EQ(parse(tag_with_attributes(256), recorder).outcome, XmlOutcome::complete);
  const XmlReading reading = parse(tag_with_attributes(257), recorder);
  EXPECT_EQ(reading.outcome, XmlOutcome::too_many_attributes);
  EXPECT_EQ(reading.problem, "a start tag with more than 256 attributes");
  // Namespace declarations are attributes to the count too.
  std::string namespaces = "<r";
  for (int i = 0; i < 300; ++i) namespaces += " xmlns:p" + std::to_string(i) + "=\"u\"";
  EXPECT_EQ(parse(namespaces + "/>", recorder).outcome, XmlOutcome::too_many_attributes);
}

TEST(XmlStream, AttributesAreCountedAcrossPiecesOfInput) {
  Recorder recorder;
  EXPECT_EQ(parse(tag_with_attributes(257), recorder, 1).outcome, XmlOutcome::too_many_attributes);
  EXPECT_EQ(parse(tag_with_attributes(256), recorder, 3).outcome, XmlOutcome::complete);
}

TEST(XmlStream, EqualsSignsOutsideTagsAreNotAttributes) {
  const std::string many = repeat("=", 1000);
  for (const std::string& xml : {
           "<r>" + many + "</r>",                                       // text
           "<r><!-- don't " + many + " --></r>",                        // a comment with a quote
           "<r><![CDATA[ ' " + many + " ]]></r>",                       // CDATA
           "<r><?pi ' " + many + " ?></r>",                             // a processing instruction
           "<r a='>" + many + "' b=\"" + many + "\">" + many + "</r>",  // values with '>' and '='
           "<r>" + repeat(tag_with_attributes(200), 10) + "</r>",       // many tags of many
       }) {
    SCOPED_TRACE(xml.substr(0, 40));
    Recorder recorder;
    const XmlReading reading = parse(xml, recorder, 7);
    EXPECT_EQ(reading.outcome, XmlOutcome::complete) << reading.problem;
  }
}

TEST(XmlStream, MalformedInputSaysWhereAndWhy) {
  for (const std::string& xml :
       {std::string(), std::string("plain text"), std::string("<r><a></r>"),
        std::string("<r>\xFF</r>"), std::string("<r>"), std::string("<r/><extra/>")}) {
    SCOPED_TRACE(xml);
    Recorder recorder;
    const XmlReading reading = parse(xml, recorder);
    EXPECT_EQ(reading.outcome, XmlOutcome::malformed);
    EXPECT_FALSE(reading.problem.empty());
  }
  Recorder recorder;
  EXPECT_EQ(parse("<r>\n<a></b></r>", recorder).problem.substr(0, 8), "line 2: ");
}

TEST(XmlStream, HandlerExceptionsComeOutAfterCleaningUp) {
  Recorder recorder;
  recorder.throw_at = "b";
  EXPECT_THROW(parse("<r><b/></r>", recorder), std::runtime_error);
  Recorder again;
  EXPECT_EQ(parse("<r><b/></r>", again).outcome, XmlOutcome::complete);
  EXPECT_EQ(again.seen, "<r><b></b></r>");
}

}  // namespace
}  // namespace contribd::xml
