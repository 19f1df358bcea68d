#include "parsers/mime_params.h"

#include <gtest/gtest.h>

namespace contribd::mime {
namespace {

struct Parsed {
  ParameterizedValue value;
  std::vector<std::string> defects;
};

Parsed parse(std::string_view raw) {
  Parsed parsed;
  parsed.value = parse_parameterized_value(raw, parsed.defects);
  return parsed;
}

std::string param(std::string_view raw, std::string_view name) {
  return find_parameter(parse(raw).value, name).value_or("<absent>");
}

TEST(MimeParams, LeadingValueIsLowerCaseWithoutComments) {
  EXPECT_EQ(parse(" Application/PDF (a comment); name=x").value.value, "application/pdf");
}

TEST(MimeParams, QuotedValueKeepsSemicolonAndEscapedQuote) {
  EXPECT_EQ(param("attachment; filename=\"part1;part2.pdf\"", "filename"), "part1;part2.pdf");
  EXPECT_EQ(param("attachment; filename=\"say \\\"hi\\\" now.txt\"", "FILENAME"),
            "say \"hi\" now.txt");
}

TEST(MimeParams, UnquotedValueWithSpacesRunsToSemicolon) {
  EXPECT_EQ(param("attachment; filename=my report final.pdf; size=3", "filename"),
            "my report final.pdf");
}

TEST(MimeParams, SpacesAroundEquals) {
  EXPECT_EQ(param("attachment; filename = \"sp.pdf\"", "filename"), "sp.pdf");
}

TEST(MimeParams, Rfc2231ExtendedValueWithCharsetAndLanguage) {
  EXPECT_EQ(param("attachment; filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82.pdf", "filename"),
            "отчёт.pdf");
  EXPECT_EQ(param("attachment; filename*=iso-8859-1'en'%A3%20rates.txt", "filename"),
            "£ rates.txt");
  EXPECT_EQ(param("attachment; filename*=windows-1251''%CF%F0%E8%E2%E5%F2.doc", "filename"),
            "Привет.doc");
}

TEST(MimeParams, Rfc2231ContinuationsMixedAndOutOfOrder) {
  EXPECT_EQ(param("attachment; filename*1=\"second.dat\"; filename*0=\"first-\"", "filename"),
            "first-second.dat");
  EXPECT_EQ(param("attachment; filename*0*=utf-8''%E6%97%A5%E6%9C%AC; filename*1=\" name.bin\"",
                  "filename"),
            "日本 name.bin");
}

TEST(MimeParams, Rfc2231MultiByteSplitAcrossSections) {
  EXPECT_EQ(param("a; filename*0*=utf-8''caf%C3; filename*1*=%A9.txt", "filename"), "café.txt");
}

TEST(MimeParams, MissingContinuationIsADefect) {
  Parsed parsed = parse("a; filename*0=\"a\"; filename*2=\"c\"");
  EXPECT_EQ(find_parameter(parsed.value, "filename"), "ac");
  EXPECT_EQ(parsed.defects.size(), 1u);
}

TEST(MimeParams, Rfc2231WinsOverPlainForm) {
  EXPECT_EQ(param("a; filename=\"eleve.pdf\"; filename*=utf-8''%C3%A9l%C3%A8ve.pdf", "filename"),
            "élève.pdf");
}

TEST(MimeParams, FirstOfRepeatedParametersWinsWithDefect) {
  Parsed parsed = parse("a; filename=\"first.pdf\"; filename=\"second.pdf\"");
  EXPECT_EQ(find_parameter(parsed.value, "filename"), "first.pdf");
  EXPECT_EQ(parsed.defects.size(), 1u);
}

TEST(MimeParams, EncodedWordsInsideQuotedAndUnquotedValues) {
  EXPECT_EQ(param("a; name=\"=?UTF-8?B?0J/RgNC40LLQtdGCLnBkZg==?=\"", "name"), "Привет.pdf");
  EXPECT_EQ(param("a; name==?utf-8?Q?r=C3=A9sum=C3=A9.pdf?=", "name"), "résumé.pdf");
}

TEST(MimeParams, RawUtf8ValueIsKept) {
  EXPECT_EQ(param("a; filename=\"Übersicht März.pdf\"", "filename"), "Übersicht März.pdf");
}

TEST(MimeParams, UnterminatedQuoteRunsToEndWithDefect) {
  Parsed parsed = parse("a; filename=\"open.pdf");
  EXPECT_EQ(find_parameter(parsed.value, "filename"), "open.pdf");
  EXPECT_EQ(parsed.defects.size(), 1u);
}

TEST(MimeParams, FoldedValueIsUnfolded) {
  EXPECT_EQ(param("application/pdf;\r\n name=\"x.pdf\"", "name"), "x.pdf");
}

TEST(MimeParams, GarbageGivesNoParametersAndNoCrash) {
  EXPECT_EQ(parse(";;;==;\"").value.parameters.size(), 0u);
  EXPECT_EQ(parse("").value.value, "");
  EXPECT_EQ(param("a; filename*=''", "filename"), "");
}

}  // namespace
}  // namespace contribd::mime
