// When a pass lists the watched folder, and from which UID (folder_listing.h).
#include <gtest/gtest.h>

#include "daemon/intake/folder_listing.h"

namespace contribd {
namespace {

using Kind = ListingPlan::Kind;

imap::MailboxState selected(std::uint32_t uidnext, std::uint32_t exists,
                            std::optional<std::uint64_t> modseq = std::nullopt,
                            std::uint32_t uidvalidity = 7) {
  return imap::MailboxState{uidvalidity, uidnext, exists, modseq};
}

FolderSeen seen(std::uint32_t uidnext, std::uint32_t exists_after,
                std::optional<std::uint64_t> modseq = std::nullopt) {
  return FolderSeen{7, uidnext, exists_after, modseq};
}

TEST(PlanListing, AnEmptyFolderIsNeverListed) {
  EXPECT_EQ(plan_listing(std::nullopt, selected(40, 0)).kind, Kind::none);
  EXPECT_EQ(plan_listing(seen(30, 2), selected(40, 0)).kind, Kind::none);
}

TEST(PlanListing, WithoutACompletePassEverythingIsListed) {
  const ListingPlan plan = plan_listing(std::nullopt, selected(40, 3));
  EXPECT_EQ(plan.kind, Kind::all);
  EXPECT_EQ(plan.from_uid, 1u);
}

TEST(PlanListing, SameUidnextAndExistsMeansNothingArrived) {
  EXPECT_EQ(plan_listing(seen(40, 3), selected(40, 3)).kind, Kind::none);
}

TEST(PlanListing, NewMailIsListedFromTheLastUidnext) {
  const ListingPlan plan = plan_listing(seen(40, 3), selected(42, 5));
  EXPECT_EQ(plan.kind, Kind::from_uid);
  EXPECT_EQ(plan.from_uid, 40u);
  // Mail came and someone deleted as much: EXISTS is the same, UIDNEXT is not.
  EXPECT_EQ(plan_listing(seen(40, 3), selected(41, 3)).kind, Kind::from_uid);
  // Someone deleted a message, nothing came: still only UIDs from 40 can be new.
  EXPECT_EQ(plan_listing(seen(40, 3), selected(40, 2)).kind, Kind::from_uid);
}

TEST(PlanListing, ChangedUidvalidityOrMissingOrBackwardUidnextListsEverything) {
  EXPECT_EQ(plan_listing(seen(40, 3), selected(40, 3, std::nullopt, 8)).kind, Kind::all);
  EXPECT_EQ(plan_listing(seen(0, 3), selected(0, 3)).kind, Kind::all);
  EXPECT_EQ(plan_listing(seen(40, 3), selected(0, 3)).kind, Kind::all);
  EXPECT_EQ(plan_listing(seen(40, 3), selected(39, 4)).kind, Kind::all);
}

TEST(PlanListing, SameHighestModseqMeansNothingChangedEvenWithoutUidnext) {
  EXPECT_EQ(plan_listing(seen(0, 3, 900), selected(0, 3, 900)).kind, Kind::none);
  // Changed: the UIDNEXT rule decides.
  EXPECT_EQ(plan_listing(seen(40, 3, 900), selected(41, 4, 905)).kind, Kind::from_uid);
  EXPECT_EQ(plan_listing(seen(40, 3, 900), selected(40, 3, 905)).kind, Kind::none);
  // A changed UIDVALIDITY wins over an equal mod-sequence.
  EXPECT_EQ(plan_listing(seen(40, 3, 900), selected(40, 3, 900, 8)).kind, Kind::all);
}

}  // namespace
}  // namespace contribd
