#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "daemon/reply/templates.h"

namespace contribd::reply {
namespace {

namespace fs = std::filesystem;

class TemplateFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() /
        ("contribd-templates-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& content) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  fs::path dir_;
};

std::string invalid_reason(const fs::path& ack, const fs::path& late) {
  try {
    load_templates(ack, late);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "accepted";
}

TEST(RenderTemplate, ReplacesNamedPlaceholders) {
  EXPECT_EQ(render_template("Registered as {document_number} for {meeting_id}.\n",
                            {{"document_number", "QIT4N-I-007"}, {"meeting_id", "QIT4N-05"}}, "t"),
            "Registered as QIT4N-I-007 for QIT4N-05.\n");
}

TEST(RenderTemplate, BracesThatAreNotPlaceholdersStay) {
  EXPECT_EQ(render_template("{ not one } {Upper} {} {x\n", {}, "t"), "{ not one } {Upper} {} {x\n");
}

TEST(RenderTemplate, LineWithOnlyAnEmptyPlaceholderDisappears) {
  EXPECT_EQ(render_template("a\n  {note}\nb\n", {{"note", ""}}, "t"), "a\nb\n");
  EXPECT_EQ(render_template("a\n{note}\nb\n", {{"note", "n"}}, "t"), "a\nn\nb\n");
  EXPECT_EQ(render_template("a {note}\n", {{"note", ""}}, "t"), "a \n");
}

TEST(RenderTemplate, UnknownPlaceholderNamesSourceAndName) {
  try {
    render_template("Dear {chair_name},\n", {{"subject", "s"}}, "/etc/contribd/ack.txt");
    FAIL() << "accepted an unknown placeholder";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "/etc/contribd/ack.txt: unknown placeholder {chair_name}");
  }
}

TEST(BuiltinTemplates, UseOnlyKnownPlaceholdersAndSayWhatMatters) {
  const Templates builtin = builtin_templates();
  EXPECT_EQ(builtin.ack_source, "built-in");
  for (const std::string* text : {&builtin.ack, &builtin.late}) {
    for (std::size_t open = text->find('{'); open != std::string::npos;
         open = text->find('{', open + 1)) {
      const auto close = text->find('}', open);
      ASSERT_NE(close, std::string::npos);
      EXPECT_TRUE(is_known_placeholder(text->substr(open + 1, close - open - 1)))
          << text->substr(open, close - open + 1);
    }
    for (const char* needed : {"{document_number}", "{meeting_title}", "{received}", "{deadline}",
                               "{files}", "{duplicate_note}"}) {
      EXPECT_NE(text->find(needed), std::string::npos) << needed;
    }
  }
  EXPECT_NE(builtin.late.find("late contribution"), std::string::npos);
  EXPECT_NE(builtin.late.find("chair of the meeting decides"), std::string::npos);
}

TEST_F(TemplateFiles, EmptyPathsKeepTheBuiltInTexts) {
  const Templates loaded = load_templates({}, {});
  EXPECT_EQ(loaded.ack, builtin_templates().ack);
  EXPECT_EQ(loaded.late, builtin_templates().late);
}

TEST_F(TemplateFiles, FilesAreReadWithCrlfAndBomRemoved) {
  const fs::path ack =
      write("ack.txt", "\xEF\xBB\xBFRe\xc3\xa7u: {document_number}\r\n{files}\r\n");
  const Templates loaded = load_templates(ack, {});
  EXPECT_EQ(loaded.ack, "Re\xc3\xa7u: {document_number}\n{files}\n");
  EXPECT_EQ(loaded.ack_source, ack.string());
  EXPECT_EQ(loaded.late, builtin_templates().late);
}

TEST_F(TemplateFiles, UnknownPlaceholderIsAnErrorNamingFileAndPlaceholder) {
  const fs::path late = write("late.txt", "Late: {document_number}\nChair: {chair}\n");
  EXPECT_EQ(invalid_reason({}, late), late.string() + ": unknown placeholder {chair}");
}

TEST_F(TemplateFiles, UnreadableOrNotUtf8IsAnErrorNamingTheFile) {
  const std::string missing = invalid_reason(dir_ / "missing.txt", {});
  EXPECT_EQ(missing.rfind((dir_ / "missing.txt").string() + ": cannot read", 0), 0u) << missing;
  const fs::path latin1 = write("latin1.txt", "Re\xe7u {document_number}\n");
  EXPECT_EQ(invalid_reason(latin1, {}), latin1.string() + ": reply template is not valid UTF-8");
}

}  // namespace
}  // namespace contribd::reply
