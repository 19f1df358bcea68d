#include "parsers/docx_cover.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "parsers/utf8.h"
#include "tests/unit/parsers/stored_zip.h"

namespace contribd::docx {
namespace {

using test::docx_with;
using test::stored_zip;

// Files written by tests/data/docx/make_documents.py with python-docx and LibreOffice.
std::string document(const std::string& name) {
  const std::filesystem::path path =
      std::filesystem::path(CONTRIBD_TEST_DATA_DIR) / "docx" / (name + ".docx");
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

CoverSheet read_ok(const std::string& bytes, const DocxLimits& limits = {}) {
  const DocxReading reading = read_cover_sheet(bytes, limits);
  EXPECT_EQ(reading.verdict, DocxVerdict::read) << reading.problem;
  EXPECT_EQ(reading.problem, "");
  return reading.cover;
}

constexpr std::string_view kW =
    R"(xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main")";

// A document.xml whose body is `body`.
std::string body(std::string_view content) {
  return std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document ") + std::string(kW) +
         "><w:body>" + std::string(content) + "</w:body></w:document>";
}

std::string paragraph(std::string_view text) {
  return "<w:p><w:r><w:t>" + std::string(text) + "</w:t></w:r></w:p>";
}

std::string cell(std::string_view text) {
  return "<w:tc>" + paragraph(text) + "</w:tc>";
}

std::string row(std::string_view label, std::string_view value) {
  return "<w:tr>" + cell(label) + cell(value) + "</w:tr>";
}

std::string table(std::string_view rows) {
  return "<w:tbl>" + std::string(rows) + "</w:tbl>";
}

std::string core(std::string_view title_element) {
  return std::string(
             "<?xml version=\"1.0\"?><cp:coreProperties "
             "xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/"
             "core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">") +
         std::string(title_element) + "</cp:coreProperties>";
}

void expect_contact(const CoverContact& contact, std::string_view name,
                    std::string_view organization, std::string_view country,
                    std::string_view email) {
  EXPECT_EQ(contact.name, name);
  EXPECT_EQ(contact.organization, organization);
  EXPECT_EQ(contact.country, country);
  EXPECT_EQ(contact.email, email);
}

constexpr std::string_view kSource = "Quantum Networks Ltd (Switzerland), ETH Z\xC3\xBCrich";
constexpr std::string_view kTitle = "Use cases for key management in QKD networks";
constexpr std::string_view kAbstract =
    "This contribution proposes three use cases for key management.\n"
    "It asks the group to add them to the draft technical report.";

void expect_template_fields(const CoverSheet& cover) {
  EXPECT_TRUE(cover.cover_table);
  EXPECT_EQ(cover.source, kSource);
  EXPECT_EQ(cover.title, kTitle);
  EXPECT_EQ(cover.purpose, "Proposal");
  EXPECT_EQ(cover.keywords, "QKD; key management; trusted nodes");
  EXPECT_EQ(cover.abstract, kAbstract);
}

void expect_alice_and_bruno(const CoverSheet& cover) {
  ASSERT_EQ(cover.contacts.size(), 2u);
  expect_contact(cover.contacts[0], "Alice Martin", "Quantum Networks Ltd", "Switzerland",
                 "alice.martin@qnet.example");
  expect_contact(cover.contacts[1], "Bruno Rossi", "Politecnico Example", "Italy",
                 "bruno.rossi@polimi.example");
}

// ---- Documents as participants make them -----------------------------------------------

TEST(DocxCover, TemplateWithColonsFromPythonDocx) {
  const CoverSheet cover = read_ok(document("template_colons"));
  expect_template_fields(cover);
  expect_alice_and_bruno(cover);
  EXPECT_EQ(cover.core_title, "QIT4N use cases (core properties)");
}

TEST(DocxCover, TemplateSavedAgainByLibreOffice) {
  const CoverSheet cover = read_ok(document("lo_template"));
  expect_template_fields(cover);
  expect_alice_and_bruno(cover);
  EXPECT_EQ(cover.core_title, "QIT4N use cases (core properties)");
}

TEST(DocxCover, LabelsWithoutColonsInAnyCaseWithSpaces) {
  const CoverSheet cover = read_ok(document("template_no_colons"));
  EXPECT_TRUE(cover.cover_table);
  EXPECT_EQ(cover.source, kSource);
  EXPECT_EQ(cover.title, kTitle);  // label "  title\u00A0"
  EXPECT_EQ(cover.purpose, "Proposal");
  EXPECT_EQ(cover.keywords, "QKD networks");             // a w:tab between two runs
  EXPECT_EQ(cover.abstract, "First line\nsecond line");  // a w:br
  ASSERT_EQ(cover.contacts.size(), 1u);
  expect_contact(cover.contacts[0], "Alice Martin", "Quantum Networks Ltd", "Switzerland",
                 "alice.martin@qnet.example");
  EXPECT_EQ(cover.core_title, std::nullopt);  // python-docx writes an empty dc:title
}

TEST(DocxCover, ContactLabelMergedDownAndTitleSpanningTwoColumns) {
  for (const char* name : {"merged", "lo_merged"}) {
    SCOPED_TRACE(name);
    const CoverSheet cover = read_ok(document(name));
    expect_template_fields(cover);
    expect_alice_and_bruno(cover);
  }
}

TEST(DocxCover, OneContactRowForTwoPeople) {
  for (const char* name : {"two_people", "lo_two_people"}) {
    SCOPED_TRACE(name);
    const CoverSheet cover = read_ok(document(name));
    expect_template_fields(cover);
    ASSERT_EQ(cover.contacts.size(), 2u);
    expect_contact(cover.contacts[0], "Carol Chen", "Example Telecom", "China",
                   "carol.chen@telecom.example");
    expect_contact(cover.contacts[1], "Dave O'Neill", "Example University", "United Kingdom",
                   "dave.oneill@uni.example");
  }
}

TEST(DocxCover, HtmlTableSavedAsDocxByLibreOffice) {
  const CoverSheet cover = read_ok(document("lo_html"));
  expect_template_fields(cover);
  expect_alice_and_bruno(cover);  // the label cell spans both Contact rows (rowspan)
  EXPECT_EQ(cover.core_title, "Use cases from an HTML page");
}

TEST(DocxCover, NoTableLeavesTheCoreTitle) {
  const CoverSheet cover = read_ok(document("no_table"));
  EXPECT_FALSE(cover.cover_table);
  EXPECT_EQ(cover.title, std::nullopt);
  EXPECT_TRUE(cover.contacts.empty());
  EXPECT_EQ(cover.core_title, "Requirements for QKD network management");
}

TEST(DocxCover, ParagraphsBeforeTheCoverTable) {
  const CoverSheet cover = read_ok(document("table_not_first"));
  expect_template_fields(cover);
  ASSERT_EQ(cover.contacts.size(), 1u);
  expect_contact(cover.contacts[0], "Bruno Rossi", "Politecnico Example", "Italy",
                 "bruno.rossi@polimi.example");
}

TEST(DocxCover, AFirstTableWithoutLabelsIsNoCoverSheet) {
  const CoverSheet cover = read_ok(document("first_table_other"));
  EXPECT_FALSE(cover.cover_table);
  EXPECT_EQ(cover.source, std::nullopt);
  EXPECT_EQ(cover.title, std::nullopt);
  EXPECT_TRUE(cover.contacts.empty());
  EXPECT_EQ(cover.core_title, "Revised draft");
}

// ---- Hostile and broken files ----------------------------------------------------------

TEST(DocxCover, RenamedDocIsNotAZip) {
  const DocxReading reading = read_cover_sheet(document("renamed_doc"));
  EXPECT_EQ(reading.verdict, DocxVerdict::not_a_zip);
  EXPECT_NE(reading.problem, "");
  EXPECT_FALSE(reading.cover.cover_table);
}

TEST(DocxCover, TruncatedDownloadIsNotAZip) {
  EXPECT_EQ(read_cover_sheet(document("corrupt")).verdict, DocxVerdict::not_a_zip);
}

TEST(DocxCover, NothingAndNoiseAreNotZips) {
  EXPECT_EQ(read_cover_sheet("").verdict, DocxVerdict::not_a_zip);
  EXPECT_EQ(read_cover_sheet("PK\x03\x04 and then nothing").verdict, DocxVerdict::not_a_zip);
  EXPECT_EQ(read_cover_sheet(std::string(1000, '\0')).verdict, DocxVerdict::not_a_zip);
}

TEST(DocxCover, ZipWithoutDocumentIsNotADocx) {
  const DocxReading reading = read_cover_sheet(document("no_document"));
  EXPECT_EQ(reading.verdict, DocxVerdict::not_a_docx);
  EXPECT_NE(reading.problem.find("word/document.xml"), std::string::npos);
}

TEST(DocxCover, BombBeyond256MiBIsRefusedFromTheDirectory) {
  const std::string bomb = document("bomb");
  const DocxReading reading = read_cover_sheet(bomb);
  EXPECT_EQ(reading.verdict, DocxVerdict::over_limit);
  EXPECT_NE(reading.problem.find("would inflate to"), std::string::npos) << reading.problem;
  // Without the ratio, the absolute limit still refuses it.
  DocxLimits no_ratio;
  no_ratio.max_expansion_ratio = 1'000'000;
  EXPECT_EQ(read_cover_sheet(bomb, no_ratio).verdict, DocxVerdict::over_limit);
}

TEST(DocxCover, BombBeyond100TimesItsSizeIsRefused) {
  const std::string bomb = document("ratio_bomb");  // 20 MiB of XML in some 20 KB
  EXPECT_EQ(read_cover_sheet(bomb).verdict, DocxVerdict::over_limit);
  DocxLimits generous;
  generous.max_expansion_ratio = 10'000;
  EXPECT_EQ(read_ok(bomb, generous).title, "After the padding");
}

TEST(DocxCover, DirectoryThatUnderstatesTheSizeIsCaughtWhileInflating) {
  const DocxReading reading = read_cover_sheet(document("lying_directory"));
  EXPECT_EQ(reading.verdict, DocxVerdict::over_limit);
  EXPECT_NE(reading.problem.find("although the zip's directory says less"), std::string::npos)
      << reading.problem;
}

TEST(DocxCover, TooManyMembers) {
  const std::string zip = stored_zip({{"word/document.xml", body("")}, {"a", ""}, {"b", ""}});
  DocxLimits limits;
  limits.max_entries = 2;
  EXPECT_EQ(read_cover_sheet(zip, limits).verdict, DocxVerdict::over_limit);
  limits.max_entries = 3;
  EXPECT_EQ(read_cover_sheet(zip, limits).verdict, DocxVerdict::read);
}

// The end-of-central-directory record of `zip` made to announce `members`.
std::string announcing(std::string zip, std::uint16_t members) {
  const std::size_t record = zip.rfind("PK\x05\x06");
  zip[record + 8] = zip[record + 10] = static_cast<char>(members & 0xFF);
  zip[record + 9] = zip[record + 11] = static_cast<char>(members >> 8);
  return zip;
}

TEST(DocxCover, AnnouncedMembersAreCountedBeforeTheDirectoryIsRead) {
  const std::string zip = docx_with(body(table(row("Title:", "T"))));
  const DocxReading reading = read_cover_sheet(announcing(zip, 60'000));
  EXPECT_EQ(reading.verdict, DocxVerdict::over_limit);
  EXPECT_EQ(reading.problem, "60000 members, more than 10000");
}

TEST(DocxCover, Zip64RecordAnnouncingTrillionsOfMembers) {
  std::string zip = announcing(docx_with(body("")), 0xFFFF);
  const std::size_t record = zip.rfind("PK\x05\x06");
  std::string zip64;
  test::put_le(zip64, 0x06064b50, 4);
  test::put_le(zip64, 44, 4);  // size of the rest, 64-bit
  test::put_le(zip64, 0, 4);
  test::put_le(zip64, 45, 2);
  test::put_le(zip64, 45, 2);
  test::put_le(zip64, 0, 4);
  test::put_le(zip64, 0, 4);
  for (int count = 0; count < 2; ++count) {  // on this disk, in all: 2^40
    test::put_le(zip64, 0, 4);
    test::put_le(zip64, 0x100, 4);
  }
  zip64 += std::string(16, '\0');  // directory size and offset (not read)
  std::string locator;
  test::put_le(locator, 0x07064b50, 4);
  test::put_le(locator, 0, 4);
  test::put_le(locator, static_cast<std::uint32_t>(record), 4);
  test::put_le(locator, 0, 4);
  test::put_le(locator, 1, 4);
  zip.insert(record, zip64 + locator);
  const DocxReading reading = read_cover_sheet(zip);
  EXPECT_EQ(reading.verdict, DocxVerdict::over_limit);
  EXPECT_EQ(reading.problem, "1099511627776 members, more than 10000");
}

// `zip` with `copies` more copies of its end-of-central-directory record in its comment.
std::string with_end_records(std::string zip, int copies) {
  const std::size_t record = zip.rfind("PK\x05\x06");
  std::string copy = zip.substr(record);
  const auto comment = static_cast<std::uint32_t>(copy.size() * static_cast<std::size_t>(copies));
  zip[record + 20] = static_cast<char>(comment & 0xFF);
  zip[record + 21] = static_cast<char>(comment >> 8);
  for (int i = 0; i < copies; ++i) zip += copy;
  return zip;
}

TEST(DocxCover, EndRecordsBeyondAFewAreRefusedBeforeLibzipTriesEach) {
  const std::string zip = docx_with(body(table(row("Title:", "T"))));
  EXPECT_EQ(read_ok(with_end_records(zip, 1)).title, "T");
  const DocxReading reading = read_cover_sheet(with_end_records(zip, 4));
  EXPECT_EQ(reading.verdict, DocxVerdict::not_a_zip);
  EXPECT_EQ(reading.problem, "not a zip: 5 end-of-central-directory records where one belongs");
}

TEST(DocxCover, StartTagWithThousandsOfAttributesIsRefused) {
  std::string paragraph_tag = "<w:p";
  for (int i = 0; i < 5000; ++i) paragraph_tag += " w:a" + std::to_string(i) + "=\"\"";
  const DocxReading reading =
      read_cover_sheet(docx_with(body(paragraph_tag + "/>" + table(row("Title:", "T")))));
  EXPECT_EQ(reading.verdict, DocxVerdict::not_a_docx);
  EXPECT_EQ(reading.problem, "word/document.xml: a start tag with more than 256 attributes");
}

TEST(DocxCover, BillionLaughsIsRefusedAtItsDoctype) {
  const DocxReading reading = read_cover_sheet(document("billion_laughs"));
  EXPECT_EQ(reading.verdict, DocxVerdict::not_a_docx);
  EXPECT_NE(reading.problem.find("DOCTYPE"), std::string::npos) << reading.problem;
}

TEST(DocxCover, AMillionNestedElementsStopAtTheDepthLimit) {
  DocxLimits limits;
  limits.max_expansion_ratio = 100'000;  // 15 MB of markup compress a thousandfold
  const DocxReading reading = read_cover_sheet(document("deep_nesting"), limits);
  EXPECT_EQ(reading.verdict, DocxVerdict::not_a_docx);
  EXPECT_NE(reading.problem.find("depth"), std::string::npos) << reading.problem;
}

TEST(DocxCover, BrokenXmlIsNotADocx) {
  for (const std::string& xml :
       {std::string(), std::string("not xml at all"), body(paragraph("no table")) + "<extra/>",
        body(paragraph("&undeclared;") + table(row("Title:", "x"))), body("<w:p>") /* unclosed */,
        std::string("<?xml version=\"1.0\"?><a>\xFF</a>")}) {
    SCOPED_TRACE(xml);
    const DocxReading reading = read_cover_sheet(docx_with(xml));
    EXPECT_EQ(reading.verdict, DocxVerdict::not_a_docx);
    EXPECT_TRUE(reading.problem.starts_with("word/document.xml: ")) << reading.problem;
  }
}

TEST(DocxCover, ReadingStopsAtTheEndOfTheFirstTable) {
  // What follows the cover table is never parsed, broken or not.
  const std::string xml = body(table(row("Title:", "Kept"))) + "<broken";
  EXPECT_EQ(read_ok(docx_with(xml)).title, "Kept");
}

TEST(DocxCover, CorePropertiesThatCannotBeReadOnlyLoseTheTitle) {
  const std::string xml = body(table(row("Title:", "T")));
  EXPECT_EQ(read_ok(docx_with(xml, "<broken")).core_title, std::nullopt);
  EXPECT_EQ(read_ok(docx_with(xml, "<!DOCTYPE x [<!ENTITY e \"boom\">]>" +
                                       core("<dc:title>&e;</dc:title>")))
                .core_title,
            std::nullopt);
  EXPECT_EQ(read_ok(docx_with(xml, core("<dc:title> \n </dc:title>"))).core_title, std::nullopt);
  EXPECT_EQ(read_ok(docx_with(xml, core("<dc:title> Caf\xC3\xA9 &amp; co </dc:title>"))).core_title,
            "Caf\xC3\xA9 & co");
}

TEST(DocxCover, PartNamesMatchInAnyCase) {
  const std::string zip = stored_zip({{"Word/Document.XML", body(table(row("Title", "T")))}});
  EXPECT_EQ(read_ok(zip).title, "T");
}

// ---- The table's shapes ----------------------------------------------------------------

TEST(DocxCover, TabStopsAreNotTabs) {
  const std::string xml =
      body(table("<w:tr>" + cell("Title:") +
                 "<w:tc><w:p><w:pPr><w:tabs><w:tab w:val=\"left\" w:pos=\"720\"/></w:tabs></w:pPr>"
                 "<w:r><w:t>A</w:t><w:tab/><w:t>B</w:t></w:r></w:p></w:tc></w:tr>"));
  EXPECT_EQ(read_ok(docx_with(xml)).title, "A B");
}

TEST(DocxCover, FallbackContentIsNotReadTwice) {
  const std::string xml = body(
      table("<w:tr>" + cell("Title:") +
            "<w:tc><w:p><w:r><w:t>Shown</w:t></w:r><mc:AlternateContent "
            "xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\"><mc:Choice "
            "Requires=\"wps\"><w:r><w:t> once</w:t></w:r></mc:Choice><mc:Fallback><w:r><w:t> "
            "twice</w:t></w:r></mc:Fallback></mc:AlternateContent></w:p></w:tc></w:tr>"));
  EXPECT_EQ(read_ok(docx_with(xml)).title, "Shown once");
}

TEST(DocxCover, TableInATextBoxIsNotTheFirstTable) {
  const std::string text_box = "<w:p><w:r><w:txbxContent>" + table(row("Title:", "In a box")) +
                               "</w:txbxContent></w:r></w:p>";
  EXPECT_EQ(read_ok(docx_with(body(text_box + table(row("Title:", "Cover"))))).title, "Cover");
}

TEST(DocxCover, TableInsideAContentControlIsFound) {
  const std::string xml =
      body("<w:sdt><w:sdtContent>" + table(row("Source:", "ITU")) + "</w:sdtContent></w:sdt>");
  EXPECT_EQ(read_ok(docx_with(xml)).source, "ITU");
}

TEST(DocxCover, NestedTableTextBelongsToItsCell) {
  const std::string inner = table(row("Title:", "Not a row of the cover"));
  const std::string xml = body(table("<w:tr>" + cell("Abstract:") + "<w:tc>" + paragraph("Before") +
                                     inner + paragraph("After") + "</w:tc></w:tr>"));
  const CoverSheet cover = read_ok(docx_with(xml));
  EXPECT_EQ(cover.title, std::nullopt);
  EXPECT_EQ(cover.abstract, "Before\nTitle:\nNot a row of the cover\nAfter");
}

TEST(DocxCover, StrictOoxmlNamespace) {
  const std::string xml =
      "<w:document xmlns:w=\"http://purl.oclc.org/ooxml/wordprocessingml/main\"><w:body>" +
      table(row("Purpose:", "Information")) + "</w:body></w:document>";
  EXPECT_EQ(read_ok(docx_with(xml)).purpose, "Information");
}

TEST(DocxCover, LabelAndValueInOneCell) {
  const std::string xml = body(table("<w:tr>" + cell("Title: All in one") + "</w:tr>" + "<w:tr>" +
                                     cell("Keywords:QKD") + "</w:tr>"));
  const CoverSheet cover = read_ok(docx_with(xml));
  EXPECT_EQ(cover.title, "All in one");
  EXPECT_EQ(cover.keywords, "QKD");
}

TEST(DocxCover, TheFirstRowOfALabelCounts) {
  const std::string xml = body(table(row("Title:", "First") + row("TITLE", "Second")));
  EXPECT_EQ(read_ok(docx_with(xml)).title, "First");
}

TEST(DocxCover, EmptyValuesAreAbsentButTheTableIsACover) {
  const CoverSheet cover = read_ok(docx_with(body(table(row("Title:", "  ")))));
  EXPECT_TRUE(cover.cover_table);
  EXPECT_EQ(cover.title, std::nullopt);
}

TEST(DocxCover, EmptyLabelCellContinuesTheContactAbove) {
  const std::string xml = body(
      table("<w:tr>" + cell("Contact:") + cell("Ann") + cell("E-mail: ann@example.org") +
            "</w:tr>" + "<w:tr>" + cell("") + cell("Ben") + cell("ben@example.org") + "</w:tr>" +
            row("Keywords:", "k") + "<w:tr>" + cell("") + cell("Not a contact") + "</w:tr>"));
  const CoverSheet cover = read_ok(docx_with(xml));
  ASSERT_EQ(cover.contacts.size(), 2u);
  expect_contact(cover.contacts[0], "Ann", "", "", "ann@example.org");
  expect_contact(cover.contacts[1], "Ben", "", "", "ben@example.org");
}

std::string contact_row(std::string_view people, std::string_view reach) {
  return body(table("<w:tr>" + cell("Contact:") + "<w:tc>" + std::string(people) + "</w:tc><w:tc>" +
                    std::string(reach) + "</w:tc></w:tr>"));
}

TEST(DocxCover, PeopleSeparatedByABlankLine) {
  const std::string xml = contact_row(
      paragraph("Ann Lee") + paragraph("Org A") + paragraph("Korea") + paragraph("") +
          paragraph("Ben Ng") + paragraph("Org B") + paragraph("Dept") + paragraph("Singapore"),
      paragraph("Tel.: +82 2 1234") + paragraph("mailto:ann@a.example") +
          paragraph("E-MAIL : &lt;ben@b.example&gt;"));
  const CoverSheet cover = read_ok(docx_with(xml));
  ASSERT_EQ(cover.contacts.size(), 2u);
  expect_contact(cover.contacts[0], "Ann Lee", "Org A", "Korea", "ann@a.example");
  expect_contact(cover.contacts[1], "Ben Ng", "Org B, Dept", "Singapore", "ben@b.example");
}

TEST(DocxCover, ContactWithTwoAddressesStaysOnePerson) {
  const std::string xml =
      contact_row(paragraph("Ann Lee") + paragraph("Org A") + paragraph("Korea"),
                  paragraph("E-mail: ann@a.example") + paragraph("E-mail: ann@home.example"));
  const CoverSheet cover = read_ok(docx_with(xml));
  ASSERT_EQ(cover.contacts.size(), 1u);
  expect_contact(cover.contacts[0], "Ann Lee", "Org A", "Korea", "ann@a.example");
}

TEST(DocxCover, ContactRowsLeftEmptyAddNobody) {
  const CoverSheet cover = read_ok(docx_with(contact_row(paragraph(""), paragraph(" "))));
  EXPECT_TRUE(cover.cover_table);
  EXPECT_TRUE(cover.contacts.empty());
}

TEST(DocxCover, LongCellIsCutOnACharacter) {
  std::string long_text;
  for (int i = 0; i < 40'000; ++i) long_text += "\xC3\xA9";  // 80,000 bytes of "é"
  const CoverSheet cover = read_ok(docx_with(body(table(row("Abstract:", long_text)))));
  ASSERT_TRUE(cover.abstract);
  EXPECT_EQ(cover.abstract->size(), 64u * 1024u);
  EXPECT_TRUE(is_valid_utf8(*cover.abstract));
}

TEST(DocxCover, VerticallyMergedValueCellsAreEmpty) {
  const std::string xml = body(
      table("<w:tr>" + cell("Source:") + "<w:tc><w:tcPr><w:vMerge w:val=\"restart\"/></w:tcPr>" +
            paragraph("ITU") + "</w:tc></w:tr>" + "<w:tr>" + cell("Purpose:") +
            "<w:tc><w:tcPr><w:vMerge/></w:tcPr>" + paragraph("ignored") + "</w:tc>" +
            cell("Discussion") + "</w:tr>"));
  const CoverSheet cover = read_ok(docx_with(xml));
  EXPECT_EQ(cover.source, "ITU");
  EXPECT_EQ(cover.purpose, "Discussion");
}

// ---- Which files are read --------------------------------------------------------------

TEST(DocxCover, LooksLikeDocx) {
  EXPECT_TRUE(looks_like_docx("QIT4N-05-requirements.docx", "application/octet-stream"));
  EXPECT_TRUE(looks_like_docx("SHOUTING.DOCX", ""));
  EXPECT_TRUE(looks_like_docx(
      "attachment", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"));
  EXPECT_TRUE(looks_like_docx(
      "", "Application/VND.openxmlformats-officedocument.wordprocessingml.document; name=x"));
  EXPECT_FALSE(looks_like_docx("report.doc", "application/msword"));
  EXPECT_FALSE(looks_like_docx("docx", ""));
  EXPECT_FALSE(looks_like_docx("report.docx.pdf", "application/pdf"));
  EXPECT_FALSE(looks_like_docx("template.dotx", ""));
}

}  // namespace
}  // namespace contribd::docx
