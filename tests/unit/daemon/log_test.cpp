// The journal identifier of a group: contribd@qit4n.service reads /etc/contribd/qit4n.toml, and
// every journal line of that configuration, the daemon's and the desk's, says contribd-qit4n.
#include "daemon/log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon/event_log.h"

namespace contribd {
namespace {

TEST(JournalIdentifier, TheSingleServiceKeepsItsName) {
  EXPECT_EQ(journal_identifier_for("/etc/contribd/contribd.toml"), "contribd");
  EXPECT_EQ(journal_identifier_for("contribd.toml"), "contribd");
}

TEST(JournalIdentifier, AnInstanceIsNamedAfterItsConfigurationFile) {
  EXPECT_EQ(journal_identifier_for("/etc/contribd/qit4n.toml"), "contribd-qit4n");
  EXPECT_EQ(journal_identifier_for("/etc/contribd/fg-ai4h.toml"), "contribd-fg-ai4h");
  EXPECT_EQ(journal_identifier_for("../groups/sg17_q4.toml"), "contribd-sg17_q4");
}

TEST(JournalIdentifier, OddCharactersInTheFileNameBecomeUnderscores) {
  EXPECT_EQ(journal_identifier_for("/etc/contribd/a b\nc=d.toml"), "contribd-a_b_c_d");
}

TEST(JournalIdentifier, EveryJournalEntryCarriesTheIdentifierGiven) {
  setup_logging(LogTarget::stderr_only, false, journal_identifier_for("/etc/contribd/qit4n.toml"));
  EXPECT_EQ(journal_identifier(), "contribd-qit4n");
  EXPECT_THAT(journal_entry(spdlog::level::info, "m", {}),
              ::testing::Contains("SYSLOG_IDENTIFIER=contribd-qit4n"));
  setup_logging(LogTarget::stderr_only, false);
  EXPECT_THAT(journal_entry(spdlog::level::info, "m", {}),
              ::testing::Contains("SYSLOG_IDENTIFIER=contribd"));
}

}  // namespace
}  // namespace contribd
