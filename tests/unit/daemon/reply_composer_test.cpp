#include <gmime/gmime.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "daemon/policy/deadline.h"
#include "daemon/reply/composer.h"
#include "tests/unit/storage/docnum.h"

namespace contribd::reply {
namespace {

using policy::parse_meeting_time;
using storage::testing::docnum;

ReplyFacts alice_contribution() {
  ReplyFacts facts{.kind = ReplyKind::ack, .document_number = docnum("QIT4N-I-007")};
  facts.meeting_id = "QIT4N-05";
  facts.meeting_title =
      "Fifth meeting of the ITU-T Focus Group on Quantum Information Technology for Networks "
      "(FG-QIT4N), e-meeting, 27 July - 7 August 2020";
  facts.meeting_timezone = "Europe/Zurich";
  facts.received = parse_meeting_time("2020-07-20T08:00:00Z", "");
  facts.deadline = parse_meeting_time("2020-07-22T23:59:59+02:00", "");
  facts.original_subject = "QKD network architecture";
  facts.original_message_id = "<CAF1234.5678@mail.member.test>";
  facts.original_references = "<root@member.test>";
  facts.files = {{"QIT4N-architecture.docx", 123456,
                  "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
                 {"figures.pdf", 42, std::string(64, 'a')}};
  facts.recipient = "alice@member.test";
  facts.from_address = "tsbfgqit4n@itu.int";
  facts.from_name = "ITU-T FG-QIT4N secretariat";
  facts.now = parse_meeting_time("2020-07-20T08:00:05Z", "");
  return facts;
}

std::string header_block_of(const std::string& message) {
  const auto end = message.find("\r\n\r\n");
  EXPECT_NE(end, std::string::npos);
  return message.substr(0, end + 2);
}

// The header block as (name, unfolded value) pairs, split only where RFC 5322 starts a field.
std::vector<std::pair<std::string, std::string>> fields_of(const std::string& header) {
  std::vector<std::pair<std::string, std::string>> fields;
  std::size_t start = 0;
  while (start < header.size()) {
    const auto end = header.find("\r\n", start);
    const std::string line = header.substr(start, end - start);
    if (line.front() == ' ' || line.front() == '\t') {
      fields.back().second += line;
    } else {
      const auto colon = line.find(':');
      fields.emplace_back(line.substr(0, colon), line.substr(colon + 2));
    }
    start = end + 2;
  }
  return fields;
}

std::vector<std::string> names_of(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::vector<std::string> names;
  for (const auto& field : fields) names.push_back(field.first);
  return names;
}

std::string value_of(const std::string& message, const std::string& name) {
  for (const auto& [field, value] : fields_of(header_block_of(message))) {
    if (field == name) return value;
  }
  return "(absent)";
}

void expect_wire_format(const std::string& message) {
  const std::string header = header_block_of(message);
  std::size_t start = 0;
  bool in_body = false;
  while (start < message.size()) {
    const auto end = message.find("\r\n", start);
    ASSERT_NE(end, std::string::npos) << "the message ends in CRLF";
    const std::string line = message.substr(start, end - start);
    EXPECT_EQ(line.find_first_of("\r\n"), std::string::npos) << "no bare CR or LF: " << line;
    EXPECT_LE(line.size(), in_body ? 76u : 78u) << line;
    for (const char c : line) EXPECT_LT(static_cast<unsigned char>(c), 0x80u) << line;
    if (line.empty()) in_body = true;
    start = end + 2;
  }
}

// What a mail reader shows, through GMime (an independent MIME implementation).
struct ReaderView {
  std::string subject;
  std::string from;
  std::string body;
};

ReaderView read_with_gmime(const std::string& message) {
  static const bool initialised = (g_mime_init(), true);
  (void)initialised;
  GMimeStream* stream = g_mime_stream_mem_new_with_buffer(message.data(), message.size());
  GMimeParser* parser = g_mime_parser_new_with_stream(stream);
  GMimeMessage* parsed = g_mime_parser_construct_message(parser, nullptr);
  ReaderView view;
  if (parsed != nullptr) {
    view.subject = g_mime_message_get_subject(parsed);
    GMimeObject* part = g_mime_message_get_mime_part(parsed);
    if (GMIME_IS_TEXT_PART(part)) {
      char* text = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
      view.body = text;
      g_free(text);
    }
    char* from = internet_address_list_to_string(g_mime_message_get_from(parsed), nullptr, FALSE);
    view.from = from;
    g_free(from);
    g_object_unref(parsed);
  }
  g_object_unref(parser);
  g_object_unref(stream);
  return view;
}

TEST(ComposeReply, HeaderBlockHasExactlyTheseFields) {
  const std::string message = compose_reply(alice_contribution(), builtin_templates());
  expect_wire_format(message);
  const auto fields = fields_of(header_block_of(message));
  EXPECT_EQ(names_of(fields), (std::vector<std::string>{
                                  "From", "To", "Subject", "Date", "Message-ID", "In-Reply-To",
                                  "References", "Auto-Submitted", "X-Contribd-Loop", "MIME-Version",
                                  "Content-Type", "Content-Transfer-Encoding"}));
  EXPECT_EQ(value_of(message, "From"), "\"ITU-T FG-QIT4N secretariat\" <tsbfgqit4n@itu.int>");
  EXPECT_EQ(value_of(message, "To"), "alice@member.test");
  EXPECT_EQ(value_of(message, "Subject"), "Received: QKD network architecture [QIT4N-I-007]");
  EXPECT_EQ(value_of(message, "Date"), "Mon, 20 Jul 2020 08:00:05 +0000");
  EXPECT_EQ(value_of(message, "In-Reply-To"), "<CAF1234.5678@mail.member.test>");
  EXPECT_EQ(value_of(message, "References"), "<root@member.test> <CAF1234.5678@mail.member.test>");
  EXPECT_EQ(value_of(message, "Auto-Submitted"), "auto-replied");
  EXPECT_EQ(value_of(message, "X-Contribd-Loop"), "tsbfgqit4n@itu.int");
  EXPECT_EQ(value_of(message, "Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(value_of(message, "Content-Transfer-Encoding"), "quoted-printable");
  EXPECT_TRUE(is_msg_id(value_of(message, "Message-ID")));
  EXPECT_NE(value_of(message, "Message-ID").find("@itu.int>"), std::string::npos);
}

TEST(ComposeReply, AckBodyNamesNumberMeetingTimesAndEveryFile) {
  const std::string body =
      read_with_gmime(compose_reply(alice_contribution(), builtin_templates())).body;
  for (const char* expected :
       {"registered as QIT4N-I-007.", "Fifth meeting of the ITU-T Focus Group", "(QIT4N-05)",
        "Received: 2020-07-20 08:00:00 UTC (2020-07-20 10:00:00 CEST)",
        "Deadline: 2020-07-22 21:59:59 UTC (2020-07-22 23:59:59 CEST)",
        "- QIT4N-architecture.docx (123456 bytes)",
        "SHA-256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "- figures.pdf (42 bytes)", "Subject:  QKD network architecture"}) {
    EXPECT_NE(body.find(expected), std::string::npos) << expected << "\n" << body;
  }
  EXPECT_EQ(body.find("late"), std::string::npos) << body;
  EXPECT_EQ(body.find("already"), std::string::npos) << body;
  EXPECT_EQ(body.find("\n\n\n"), std::string::npos) << "the empty duplicate note leaves no gap";
}

TEST(ComposeReply, WithoutAZoneTimesAreGivenOnceInUtc) {
  ReplyFacts facts = alice_contribution();
  facts.meeting_timezone = "";
  const std::string body = read_with_gmime(compose_reply(facts, builtin_templates())).body;
  EXPECT_NE(body.find("Received: 2020-07-20 08:00:00 UTC"), std::string::npos) << body;
  EXPECT_NE(body.find("Deadline: 2020-07-22 21:59:59 UTC"), std::string::npos) << body;
  EXPECT_EQ(body.find("UTC ("), std::string::npos) << body;
}

TEST(ComposeReply, LateNoticeSaysSoPlainly) {
  ReplyFacts facts = alice_contribution();
  facts.kind = ReplyKind::late;
  facts.received = parse_meeting_time("2020-07-23T09:00:00Z", "");
  const std::string message = compose_reply(facts, builtin_templates());
  EXPECT_EQ(value_of(message, "Subject"),
            "Late contribution received: QKD network architecture [QIT4N-I-007]");
  const std::string body = read_with_gmime(message).body;
  EXPECT_NE(body.find("after the deadline"), std::string::npos) << body;
  EXPECT_NE(body.find("registered as a late contribution under QIT4N-I-007"), std::string::npos);
  EXPECT_NE(body.find("The chair of the meeting decides whether it is considered"),
            std::string::npos);
}

TEST(ComposeReply, DuplicateNamesTheExistingNumber) {
  ReplyFacts facts = alice_contribution();
  facts.duplicate = true;
  facts.document_number = docnum("QIT4N-I-003");
  const std::string body = read_with_gmime(compose_reply(facts, builtin_templates())).body;
  EXPECT_NE(body.find("registered then under QIT4N-I-003 and have not been registered again"),
            std::string::npos)
      << body;
}

TEST(ComposeReply, ShowsTheTitleAndSourceReadFromTheCoverSheet) {
  ReplyFacts facts = alice_contribution();
  facts.title = "Key relay in QKD networks";
  facts.source = "Alice Labs";
  const std::string body = read_with_gmime(compose_reply(facts, builtin_templates())).body;
  EXPECT_NE(body.find("Title:    Key relay in QKD networks"), std::string::npos) << body;
  EXPECT_NE(body.find("Source:   Alice Labs"), std::string::npos) << body;
  EXPECT_EQ(body.find("base document template"), std::string::npos) << body;
}

TEST(ComposeReply, WithoutACoverSheetTheTitleIsTheSubjectAndTheSourceIsMissing) {
  const std::string body =
      read_with_gmime(compose_reply(alice_contribution(), builtin_templates())).body;
  EXPECT_NE(body.find("Title:    QKD network architecture"), std::string::npos) << body;
  EXPECT_NE(body.find("Source:   (not found in the document)"), std::string::npos) << body;
}

TEST(ComposeReply, AsksForTheBaseTemplateInOneParagraph) {
  ReplyFacts facts = alice_contribution();
  facts.ask_for_template = true;
  facts.base_template_url = "https://www.itu.int/en/ITU-T/focusgroups/qit4n/Pages/default.aspx";
  std::string body = read_with_gmime(compose_reply(facts, builtin_templates())).body;
  std::erase(body, '\r');  // the text as a reader shows it: lines, not CRLF
  const auto note = body.find("None of the Word documents");
  ASSERT_NE(note, std::string::npos) << body;
  const auto end = body.find("\n\n", note);
  ASSERT_NE(end, std::string::npos) << body;
  const std::string paragraph = body.substr(note, end - note);
  EXPECT_NE(paragraph.find("base document template"), std::string::npos) << paragraph;
  EXPECT_NE(paragraph.find(facts.base_template_url), std::string::npos) << paragraph;
  EXPECT_EQ(paragraph.find('\n'), std::string::npos) << "one paragraph, one line: " << paragraph;
  EXPECT_NE(body.find("Please quote", end), std::string::npos) << body;
}

TEST(ComposeReply, ARevisionIsNamedInTheSubject) {
  ReplyFacts facts = alice_contribution();
  facts.revision = 1;
  const std::string message = compose_reply(facts, builtin_templates());
  EXPECT_EQ(value_of(message, "Subject"), "Received: QKD network architecture [QIT4N-I-007 Rev.1]");
}

TEST(ComposeReply, SubjectInjectionStaysInsideTheSubject) {
  ReplyFacts facts = alice_contribution();
  facts.original_subject = "Contribution\r\nBcc: evil@x\r\n\r\nInjected body";
  facts.from_name = "Secretariat\r\nX-Evil: 1";
  const std::string message = compose_reply(facts, builtin_templates());
  expect_wire_format(message);
  const std::string header = header_block_of(message);
  EXPECT_EQ(
      names_of(fields_of(header)),
      (std::vector<std::string>{"From", "To", "Subject", "Date", "Message-ID", "In-Reply-To",
                                "References", "Auto-Submitted", "X-Contribd-Loop", "MIME-Version",
                                "Content-Type", "Content-Transfer-Encoding"}));
  EXPECT_EQ(header.find("\nBcc"), std::string::npos);
  EXPECT_EQ(value_of(message, "Subject"),
            "Received: Contribution Bcc: evil@x Injected body [QIT4N-I-007]");
  EXPECT_EQ(read_with_gmime(message).from, "\"Secretariat X-Evil: 1\" <tsbfgqit4n@itu.int>");
}

TEST(ComposeReply, MalformedOriginalMessageIdIsNotThreaded) {
  for (const char* bad :
       {"<abc@x>\r\nBcc: evil@x", "no-brackets@x", "<two words@x>", "<noat>", ""}) {
    ReplyFacts facts = alice_contribution();
    facts.original_message_id = bad;
    const std::string message = compose_reply(facts, builtin_templates());
    EXPECT_EQ(value_of(message, "In-Reply-To"), "(absent)") << bad;
    EXPECT_EQ(value_of(message, "References"), "(absent)") << bad;
    EXPECT_EQ(header_block_of(message).find("Bcc"), std::string::npos);
  }
}

TEST(ComposeReply, ReferencesKeepOnlyValidIdsAndAreTrimmed) {
  ReplyFacts facts = alice_contribution();
  facts.original_references = "<r0@a> junk <bad id@a>\r\n";
  for (int i = 1; i < 15; ++i) facts.original_references += " <r" + std::to_string(i) + "@a>";
  const std::string message = compose_reply(facts, builtin_templates());
  expect_wire_format(message);
  const std::string references = value_of(message, "References");
  EXPECT_EQ(references.rfind("<r0@a> <r7@a>", 0), 0u) << references;
  EXPECT_NE(references.find("<r14@a> <CAF1234.5678@mail.member.test>"), std::string::npos);
  EXPECT_EQ(references.find("bad"), std::string::npos);
}

TEST(ComposeReply, CyrillicSubjectAndNameDecodeBack) {
  ReplyFacts facts = alice_contribution();
  const std::string cyrillic =
      "\xd0\x9f\xd1\x80\xd0\xb5\xd0\xb4\xd0\xbb\xd0\xbe\xd0\xb6\xd0\xb5\xd0\xbd\xd0\xb8\xd0\xb5 "
      "\xd0\xbf\xd0\xbe \xd0\xba\xd0\xb2\xd0\xb0\xd0\xbd\xd1\x82\xd0\xbe\xd0\xb2\xd0\xbe\xd0\xbc"
      "\xd1\x83 \xd1\x80\xd0\xb0\xd1\x81\xd0\xbf\xd1\x80\xd0\xb5\xd0\xb4\xd0\xb5\xd0\xbb\xd0\xb5"
      "\xd0\xbd\xd0\xb8\xd1\x8e \xd0\xba\xd0\xbb\xd1\x8e\xd1\x87\xd0\xb5\xd0\xb9";
  facts.original_subject = cyrillic;
  facts.from_name =
      "\xd0\xa1\xd0\xb5\xd0\xba\xd1\x80\xd0\xb5\xd1\x82\xd0\xb0\xd1\x80\xd0\xb8\xd0"
      "\xb0\xd1\x82 FG-QIT4N";
  const std::string message = compose_reply(facts, builtin_templates());
  expect_wire_format(message);
  const ReaderView view = read_with_gmime(message);
  EXPECT_EQ(view.subject, "Received: " + cyrillic + " [QIT4N-I-007]");
  EXPECT_EQ(view.from, facts.from_name + " <tsbfgqit4n@itu.int>");
  EXPECT_NE(view.body.find("Subject:  " + cyrillic), std::string::npos) << view.body;
}

TEST(ComposeReply, FreshMessageIdsDifferAndAGivenOneIsKept) {
  const ReplyFacts facts = alice_contribution();
  EXPECT_NE(value_of(compose_reply(facts, builtin_templates()), "Message-ID"),
            value_of(compose_reply(facts, builtin_templates()), "Message-ID"));
  ReplyFacts recorded = facts;
  recorded.message_id = "<0123abcd@itu.int>";
  EXPECT_EQ(value_of(compose_reply(recorded, builtin_templates()), "Message-ID"),
            "<0123abcd@itu.int>");
  recorded.message_id_domain = "contribd.itu.int";
  recorded.message_id.clear();
  EXPECT_NE(value_of(compose_reply(recorded, builtin_templates()), "Message-ID")
                .find("@contribd.itu.int>"),
            std::string::npos);
}

TEST(ComposeReply, RefusesAddressesThatAreNotPlain) {
  ReplyFacts facts = alice_contribution();
  facts.recipient = "alice@member.test\r\nBcc: evil@x";
  EXPECT_THROW(compose_reply(facts, builtin_templates()), std::invalid_argument);
  facts = alice_contribution();
  facts.message_id_domain = "itu.int>\r\nX: y";
  EXPECT_THROW(compose_reply(facts, builtin_templates()), std::invalid_argument);
}

TEST(ComposeReply, CustomTemplateIsUsedAndItsValuesAreClean) {
  Templates templates = builtin_templates();
  templates.ack = "Dear {sender},\n{document_number}: {subject}\n{files}\n";
  ReplyFacts facts = alice_contribution();
  facts.original_subject = "two\nlines";
  facts.files = {{"evil\nname.pdf", 1, std::string(64, 'b')}};
  const std::string body = read_with_gmime(compose_reply(facts, templates)).body;
  EXPECT_EQ(body,
            "Dear alice@member.test,\r\nQIT4N-I-007: two lines\r\n- evil name.pdf (1 bytes)\r\n"
            "  SHA-256 " +
                std::string(64, 'b') + "\r\n");
}

TEST(ComposeReply, AnySubjectBytesKeepTheHeaderBlockIntact) {
  // Hostile subjects drawn from the bytes that matter: line ends, encoded-word syntax, UTF-8
  // lead and continuation bytes, spaces. A fixed seed keeps failures reproducible.
  std::mt19937 random(20200722);
  const std::string alphabet = "\r\n\t =?_Qq:aZ.\x80\xbf\xc3\xa9\xd0\x96\xe2\x80\xa8\xf0\x9f\xff";
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::uniform_int_distribution<std::size_t> length(0, 300);
  const std::vector<std::string> expected_names{"From",
                                                "To",
                                                "Subject",
                                                "Date",
                                                "Message-ID",
                                                "In-Reply-To",
                                                "References",
                                                "Auto-Submitted",
                                                "X-Contribd-Loop",
                                                "MIME-Version",
                                                "Content-Type",
                                                "Content-Transfer-Encoding"};
  for (int round = 0; round < 300; ++round) {
    ReplyFacts facts = alice_contribution();
    facts.original_subject.clear();
    for (std::size_t n = length(random); n > 0; --n)
      facts.original_subject += alphabet[pick(random)];
    const std::string message = compose_reply(facts, builtin_templates());
    expect_wire_format(message);
    ASSERT_EQ(names_of(fields_of(header_block_of(message))), expected_names)
        << ::testing::PrintToString(facts.original_subject);
    ASSERT_EQ(read_with_gmime(message).subject, reply_subject(facts))
        << ::testing::PrintToString(facts.original_subject);
  }
}

TEST(IsMsgId, FollowsRfc5322) {
  EXPECT_TRUE(is_msg_id("<CAF=x+y_z@mail.gmail.com>"));
  EXPECT_TRUE(is_msg_id("<1.2.3@[127.0.0.1]>"));
  EXPECT_FALSE(is_msg_id("<a..b@x>"));
  EXPECT_FALSE(is_msg_id("<a@x> "));
  EXPECT_FALSE(is_msg_id("<" + std::string(250, 'a') + "@x>"));
}

}  // namespace
}  // namespace contribd::reply
