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

// Hostile shapes: many pieces, huge values. These must finish well inside the test timeout.

std::string repeat(std::string_view piece, std::size_t times) {
  std::string out;
  out.reserve(piece.size() * times);
  for (std::size_t i = 0; i < times; ++i) out.append(piece);
  return out;
}

bool has_defect_containing(const Parsed& parsed, std::string_view text) {
  for (const std::string& defect : parsed.defects) {
    if (defect.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(MimeParamsLimits, TenMegabyteFilenameOfEncodedWordFragments) {
  const std::string fragments = repeat("=?x?Q?a", 10 * 1024 * 1024 / 7);
  Parsed parsed = parse("attachment; filename=\"" + fragments + "\"");
  EXPECT_EQ(find_parameter(parsed.value, "filename"), fragments);
}

TEST(MimeParamsLimits, TenMegabyteFilenameOfEncodedWords) {
  Parsed parsed = parse("attachment; filename=\"" +
                        repeat("=?utf-8?Q?r=C3=A9?=", 10 * 1024 * 1024 / 17) + "\"");
  EXPECT_EQ(find_parameter(parsed.value, "filename"), repeat("ré", 10 * 1024 * 1024 / 17));
}

TEST(MimeParamsLimits, HundredThousandContinuationsOutOfOrderKeepTheFirstThousand) {
  std::string field = "attachment";
  for (int section = 100000; section >= 0; --section) {
    field += "; filename*" + std::to_string(section) + "=\"" + std::to_string(section % 10) + "\"";
  }
  Parsed parsed = parse(field);
  std::string first_thousand;
  for (int section = 0; section < 1000; ++section) first_thousand += std::to_string(section % 10);
  EXPECT_EQ(find_parameter(parsed.value, "filename"), first_thousand);
  EXPECT_TRUE(has_defect_containing(parsed, "continuations from 1000 on are dropped"));
  EXPECT_LE(parsed.defects.size(), 17u);
}

TEST(MimeParamsLimits, ExtendedContinuationsAcrossManySections) {
  std::string field = "attachment; filename*0*=utf-8''%C3";
  for (int section = 1; section < 999; ++section) {
    field += "; filename*" + std::to_string(section) + "*=" + (section % 2 ? "%A9" : "%C3");
  }
  field += "; filename*999*=%A9";
  EXPECT_EQ(find_parameter(parse(field).value, "filename"), repeat("é", 500));
}

TEST(MimeParamsLimits, SectionNumberTooLongForAnyIntegerIsDropped) {
  Parsed parsed = parse("a; name*0=\"x\"; name*99999999999999999999999=\"y\"");
  EXPECT_EQ(find_parameter(parsed.value, "name"), "x");
  EXPECT_TRUE(has_defect_containing(parsed, "continuations from 1000 on are dropped"));
}

TEST(MimeParamsLimits, SixtyFourParametersKeptTheRestDropped) {
  std::string field = "attachment";
  for (int i = 0; i < 100000; ++i) field += "; p" + std::to_string(i) + "=v";
  Parsed parsed = parse(field);
  ASSERT_EQ(parsed.value.parameters.size(), 64u);
  EXPECT_EQ(parsed.value.parameters.front().name, "p0");
  EXPECT_EQ(parsed.value.parameters.back().name, "p63");
  EXPECT_TRUE(has_defect_containing(parsed, "more than 64 parameters"));
  EXPECT_EQ(parsed.defects.size(), 1u);
}

TEST(MimeParamsLimits, ParameterNamedBeyondTheCapDoesNotHideAKeptOne) {
  std::string field = "attachment";
  for (int i = 0; i < 100; ++i) field += "; p" + std::to_string(i) + "=v";
  field += "; p3=second";
  EXPECT_EQ(param(field, "p3"), "v");
  EXPECT_EQ(param(field, "p80"), "<absent>");
}

TEST(MimeParamsLimits, RepeatedDefectsAreBounded) {
  Parsed parsed = parse("attachment; filename=a" + repeat("; filename=b; novalue", 100000));
  EXPECT_EQ(find_parameter(parsed.value, "filename"), "a");
  EXPECT_EQ(parsed.defects.size(), 2u);  // "repeated" once, "has no value" once
}

}  // namespace
}  // namespace contribd::mime
