// What a server's answer asks of the client: response codes as data, and the words Microsoft 365
// uses instead of codes.
#include "parsers/imap_condition.h"

#include <gtest/gtest.h>

namespace contribd::imap {
namespace {

using namespace std::chrono_literals;

Condition of(std::string_view line) {
  const ParseResult parsed = parse_response(line);
  EXPECT_TRUE(parsed.response) << line << ": " << parsed.error;
  return parsed.response ? condition_of(*parsed.response) : Condition{};
}

TEST(ImapCondition, ResponseCodesContribdActsOnHaveNames) {
  EXPECT_EQ(of("A2 NO [THROTTLED] Account is temporarily limited").code, KnownCode::throttled);
  EXPECT_EQ(of("A2 NO [UNAVAILABLE] Backend down").code, KnownCode::unavailable);
  EXPECT_EQ(of("A1 NO [AUTHENTICATIONFAILED] Authentication failed.").code,
            KnownCode::authenticationfailed);
  EXPECT_EQ(of("A4 NO [ALREADYEXISTS] Mailbox exists").code, KnownCode::alreadyexists);
  EXPECT_EQ(of("A2 NO [NONEXISTENT] Mailbox doesn't exist: X").code, KnownCode::nonexistent);
  EXPECT_EQ(of("A5 NO [TRYCREATE] Mailbox doesn't exist: Registered").code, KnownCode::trycreate);
  EXPECT_EQ(of("A2 NO [SERVERBUG] Internal error").code, KnownCode::other);
  EXPECT_EQ(of("A2 NO no code at all").code, KnownCode::none);
  EXPECT_EQ(of("* BYE [UNAVAILABLE] Temporary System Error").code, KnownCode::unavailable);
}

TEST(ImapCondition, ThrottledMayNameSecondsAndLongWaitsAreCapped) {
  EXPECT_EQ(of("A2 NO [THROTTLED] slow down").wait, std::nullopt);
  EXPECT_EQ(of("A2 NO [THROTTLED 90] slow down").wait, 90s);
  EXPECT_EQ(of("A2 NO [THROTTLED 86400000] see you next year").wait, 3600s);
  EXPECT_EQ(of("A2 NO [THROTTLED 0] now").wait, std::nullopt);
  EXPECT_EQ(of("A2 NO [THROTTLED soon] words").wait, std::nullopt);
}

// Microsoft 365 says it in words (imapsync's Office 365 FAQ, thunderbird-android#3574).
TEST(ImapCondition, MicrosoftWordsStandForTheCodes) {
  const Condition throttled =
      of("A7 NO Request is throttled. Suggested Backoff Time: 299609 milliseconds");
  EXPECT_EQ(throttled.code, KnownCode::throttled);
  EXPECT_EQ(throttled.wait, 300s);  // rounded up
  const Condition bad =
      of("A7 BAD Request is throttled. Suggested Backoff Time: 2000 milliseconds");
  EXPECT_EQ(bad.code, KnownCode::throttled);
  EXPECT_EQ(bad.wait, 2s);
  EXPECT_EQ(of("A7 NO Request is throttled.").wait, std::nullopt);
  EXPECT_EQ(of("A3 NO Server Unavailable. 15").code, KnownCode::unavailable);
  EXPECT_EQ(of("* BYE Server Unavailable. 21").code, KnownCode::unavailable);
  EXPECT_EQ(of("A3 BAD Command Argument Error. 11").code, KnownCode::none);
}

// Gmail appends [THROTTLED] to the text of commands that worked: not a failure.
TEST(ImapCondition, AnOkIsNeverAFailureWhateverItsText) {
  EXPECT_EQ(of("A2 OK Success [THROTTLED]").code, KnownCode::none);
  EXPECT_EQ(of("A2 OK Request is throttled. Suggested Backoff Time: 5 milliseconds").code,
            KnownCode::none);
  EXPECT_EQ(of("* 3 EXISTS").code, KnownCode::none);
}

TEST(ImapCondition, NamesForTheLogAndWhichConditionsPass) {
  EXPECT_EQ(code_name(KnownCode::throttled), "THROTTLED");
  EXPECT_EQ(code_name(KnownCode::unavailable), "UNAVAILABLE");
  EXPECT_EQ(code_name(KnownCode::none), "");
  EXPECT_EQ(code_name(KnownCode::other), "other");
  EXPECT_TRUE(is_temporary(KnownCode::throttled));
  EXPECT_TRUE(is_temporary(KnownCode::unavailable));
  EXPECT_FALSE(is_temporary(KnownCode::authenticationfailed));
  EXPECT_FALSE(is_temporary(KnownCode::none));
}

}  // namespace
}  // namespace contribd::imap
