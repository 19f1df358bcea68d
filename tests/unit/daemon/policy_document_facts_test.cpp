// What a contribution says of itself (SPEC step 10), from its files' cover sheets.
#include <gtest/gtest.h>

#include "daemon/policy/document_facts.h"

namespace contribd::policy {
namespace {

mime::ExtractedFile pdf(std::string name) {
  mime::ExtractedFile file;
  file.filename = std::move(name);
  file.content_type = "application/pdf";
  return file;
}

mime::ExtractedFile docx_file(std::string name, docx::DocxVerdict verdict, docx::CoverSheet cover) {
  mime::ExtractedFile file;
  file.filename = std::move(name);
  file.content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
  file.docx = docx::DocxReading{verdict, std::move(cover), ""};
  return file;
}

docx::CoverSheet cover(std::string title, std::string source) {
  docx::CoverSheet sheet;
  sheet.cover_table = true;
  sheet.title = std::move(title);
  sheet.source = std::move(source);
  sheet.purpose = "Discussion";
  sheet.contacts = {{"Alice", "Alice Labs", "Switzerland", "alice@member.test"}};
  return sheet;
}

docx::CoverSheet core_title_only(std::string title) {
  docx::CoverSheet sheet;
  sheet.core_title = std::move(title);
  return sheet;
}

TEST(DocumentFacts, WithoutDocxFilesTheTemplateIsUnknownAndTheTitleIsTheSubject) {
  const auto facts = document_facts({pdf("a.pdf")}, "Key relay");
  EXPECT_FALSE(facts.template_use);
  EXPECT_EQ(facts.title, "Key relay");
  EXPECT_FALSE(facts.source);
}

TEST(DocumentFacts, TheFirstCoverTableGivesTheFields) {
  const auto facts = document_facts(
      {pdf("a.pdf"), docx_file("plain.docx", docx::DocxVerdict::read, core_title_only("Core")),
       docx_file("first.docx", docx::DocxVerdict::read, cover("First title", "Alice Labs")),
       docx_file("second.docx", docx::DocxVerdict::read, cover("Second title", "Bob Inc"))},
      "Subject");
  EXPECT_EQ(facts.template_use, storage::TemplateUse::itu);
  EXPECT_EQ(facts.title, "First title");
  EXPECT_EQ(facts.source, "Alice Labs");
  EXPECT_EQ(facts.purpose, "Discussion");
  ASSERT_EQ(facts.contacts.size(), 1u);
  EXPECT_EQ(facts.contacts[0].email, "alice@member.test");
}

TEST(DocumentFacts, TitleFallsBackToCorePropertiesThenToTheSubject) {
  auto without_title = cover("", "Alice Labs");
  without_title.title.reset();
  auto facts =
      document_facts({docx_file("a.docx", docx::DocxVerdict::read, without_title),
                      docx_file("b.docx", docx::DocxVerdict::read, core_title_only("From core"))},
                     "The subject");
  EXPECT_EQ(facts.template_use, storage::TemplateUse::itu);
  EXPECT_EQ(facts.title, "From core");
  EXPECT_EQ(facts.source, "Alice Labs");

  facts =
      document_facts({docx_file("a.docx", docx::DocxVerdict::read, without_title)}, "The subject");
  EXPECT_EQ(facts.title, "The subject");
}

TEST(DocumentFacts, DocxWithoutCoverTableMeansNoTemplate) {
  const auto facts = document_facts(
      {docx_file("plain.docx", docx::DocxVerdict::read, core_title_only("Core title"))}, "Subject");
  EXPECT_EQ(facts.template_use, storage::TemplateUse::none);
  EXPECT_EQ(facts.title, "Core title");
  EXPECT_FALSE(facts.source);
}

TEST(DocumentFacts, UnreadableDocxCountsAsWithoutTemplateAndIsReported) {
  auto bomb = docx_file("bomb.docx", docx::DocxVerdict::over_limit, cover("Never", "read"));
  bomb.docx->problem = "expands beyond 100 times its size";
  const std::vector<mime::ExtractedFile> files{bomb, pdf("a.pdf")};
  const auto facts = document_facts(files, "Subject");
  EXPECT_EQ(facts.template_use, storage::TemplateUse::none);
  EXPECT_EQ(facts.title, "Subject");
  EXPECT_EQ(unread_documents(files),
            std::vector<std::string>{"bomb.docx: expands beyond 100 times its size"});
}

}  // namespace
}  // namespace contribd::policy
