#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon/imap/folder_placement.h"

namespace contribd::imap {
namespace {

using ::testing::HasSubstr;

Namespaces cyrus() {
  return Namespaces{{{"INBOX.", "."}}, {{"user.", "."}}, {{"", "."}}, {}};
}

Namespaces dovecot() {
  return Namespaces{{{"", "/"}}, {}, {}, {}};
}

TEST(FolderPlacement, CyrusPutsAPlainNameBelowInbox) {
  const FolderPlacement placed = place_folder("Registered", cyrus());
  EXPECT_EQ(placed.name, "INBOX.Registered");
  EXPECT_TRUE(placed.prefixed);
  EXPECT_EQ(placed.prefix, "INBOX.");
  EXPECT_EQ(placed.separator, ".");
}

TEST(FolderPlacement, DovecotKeepsTheNameAsWritten) {
  const FolderPlacement placed = place_folder("Registered", dovecot());
  EXPECT_EQ(placed.name, "Registered");
  EXPECT_FALSE(placed.prefixed);
}

TEST(FolderPlacement, WithoutNamespaceTheNameStays) {
  EXPECT_EQ(place_folder("Registered", std::nullopt).name, "Registered");
  EXPECT_EQ(place_folder("Registered", Namespaces{}).name, "Registered");
}

TEST(FolderPlacement, AFullNameStaysAsWritten) {
  EXPECT_EQ(place_folder("INBOX.Registered", cyrus()).name, "INBOX.Registered");
  EXPECT_EQ(place_folder("inbox.Registered", cyrus()).name, "inbox.Registered");  // INBOX: any case
  EXPECT_EQ(place_folder("user.secretariat.Registered", cyrus()).name,
            "user.secretariat.Registered");
  EXPECT_EQ(place_folder("INBOX", cyrus()).name, "INBOX");
  // Placing twice (a reconnection) changes nothing more.
  const FolderPlacement once = place_folder("Review", cyrus());
  EXPECT_EQ(place_folder(once.name, cyrus()).name, "INBOX.Review");
  EXPECT_FALSE(place_folder(once.name, cyrus()).prefixed);
}

TEST(FolderPlacement, ThePrefixIsCaseSensitiveBeyondInbox) {
  const Namespaces mh{{{"#mh/", "/"}}, {}, {}, {}};
  EXPECT_EQ(place_folder("#MH/Registered", mh).name, "#mh/#MH/Registered");
  EXPECT_EQ(place_folder("#mh/Registered", mh).name, "#mh/Registered");
}

TEST(FolderPlacement, APrefixWithoutItsSeparatorGetsIt) {
  const Namespaces bare{{{"INBOX", "."}}, {}, {}, {}};
  EXPECT_EQ(place_folder("Registered", bare).name, "INBOX.Registered");
}

TEST(FolderPlacement, AdviceNamesTheKeyAndWhatToWrite) {
  const std::string unknown =
      folder_advice("processed_folder", "Registered", place_folder("Registered", std::nullopt));
  EXPECT_THAT(unknown, HasSubstr("imap.processed_folder"));
  EXPECT_THAT(unknown, HasSubstr("\"INBOX.Registered\""));
  const std::string placed =
      folder_advice("review_folder", "Review", place_folder("Review", cyrus()));
  EXPECT_THAT(placed, HasSubstr("create \"INBOX.Review\" on the server"));
  EXPECT_THAT(placed, HasSubstr("imap.review_folder"));
}

}  // namespace
}  // namespace contribd::imap
