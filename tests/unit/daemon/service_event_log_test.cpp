// The journal entry behind a register or reply event: fields that journalctl can match, and
// nothing a hostile message could use to forge another field.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon/event_log.h"

namespace contribd {
namespace {

using ::testing::ElementsAre;

TEST(JournalEntry, CarriesMessagePriorityIdentifierAndFields) {
  EXPECT_THAT(
      journal_entry(spdlog::level::info, "UID 7: registered QIT4N-I-007 from a@b.test",
                    {{"CONTRIBD_UID", "7"}, {"CONTRIBD_DOCUMENT", "QIT4N-I-007"}}),
      ElementsAre("MESSAGE=UID 7: registered QIT4N-I-007 from a@b.test", "PRIORITY=6",
                  "SYSLOG_IDENTIFIER=contribd", "CONTRIBD_UID=7", "CONTRIBD_DOCUMENT=QIT4N-I-007"));
}

TEST(JournalEntry, WarningsAndErrorsGetTheirSyslogPriorities) {
  EXPECT_EQ(journal_entry(spdlog::level::warn, "w", {})[1], "PRIORITY=4");
  EXPECT_EQ(journal_entry(spdlog::level::err, "e", {})[1], "PRIORITY=3");
  EXPECT_EQ(journal_entry(spdlog::level::debug, "d", {})[1], "PRIORITY=7");
}

TEST(JournalEntry, NewlinesCannotStartAnotherField) {
  const auto entry = journal_entry(spdlog::level::info, "subject\nPRIORITY=0",
                                   {{"CONTRIBD_SENDER", "x@y.test\nCONTRIBD_DOCUMENT=forged"}});
  EXPECT_THAT(entry,
              ElementsAre("MESSAGE=subject PRIORITY=0", "PRIORITY=6", "SYSLOG_IDENTIFIER=contribd",
                          "CONTRIBD_SENDER=x@y.test CONTRIBD_DOCUMENT=forged"));
}

TEST(JournalEntry, EmptyValuesAndInvalidNamesAreLeftOut) {
  const auto entry = journal_entry(
      spdlog::level::info, "m",
      {{"CONTRIBD_DOCUMENT", ""}, {"_PID", "1"}, {"lower_case", "x"}, {"CONTRIBD_UID", "9"}});
  EXPECT_THAT(entry, ElementsAre("MESSAGE=m", "PRIORITY=6", "SYSLOG_IDENTIFIER=contribd",
                                 "CONTRIBD_UID=9"));
}

}  // namespace
}  // namespace contribd
