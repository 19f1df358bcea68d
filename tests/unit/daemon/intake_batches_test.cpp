// How a backlog is cut into UID FETCH batches: order kept, small first, bounded, small last.
#include "daemon/intake/intake_batches.h"

#include <gtest/gtest.h>

namespace contribd {
namespace {

std::vector<PendingMessage> backlog(std::size_t count, std::uint64_t size) {
  std::vector<PendingMessage> pending;
  for (std::uint32_t uid = 1; uid <= count; ++uid) {
    pending.push_back({storage::MessageKey{"INBOX", 7, 1000 - uid}, size});
  }
  return pending;
}

std::vector<std::size_t> sizes_of(const std::vector<std::vector<PendingMessage>>& batches) {
  std::vector<std::size_t> sizes;
  for (const auto& batch : batches) sizes.push_back(batch.size());
  return sizes;
}

TEST(PlanBatches, KeepTheGivenOrderWithNothingLostOrRepeated) {
  const std::vector<PendingMessage> pending = backlog(237, 1000);
  const auto batches = plan_batches(pending, 4, 100, 32ull << 20);
  std::vector<std::uint32_t> seen;
  for (const auto& batch : batches) {
    for (const PendingMessage& message : batch) seen.push_back(message.key.uid);
  }
  ASSERT_EQ(seen.size(), pending.size());
  for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], pending[i].key.uid);
}

TEST(PlanBatches, BytesCapABatchAndALargeMessageGoesAlone) {
  std::vector<PendingMessage> pending = backlog(6, 10 << 20);
  pending[2].size = 70 << 20;
  const auto batches = plan_batches(pending, 4, 100, 32ull << 20);
  EXPECT_EQ(sizes_of(batches), (std::vector<std::size_t>{2, 1, 3}));
  EXPECT_EQ(batches[1].front().size, 70u << 20);
}

TEST(PlanBatches, SmallBacklogsAndEmptyOnes) {
  EXPECT_TRUE(plan_batches({}, 4, 100, 32ull << 20).empty());
  EXPECT_EQ(sizes_of(plan_batches(backlog(3, 1000), 4, 100, 32ull << 20)),
            (std::vector<std::size_t>{3}));
  EXPECT_EQ(sizes_of(plan_batches(backlog(12, 1000), 4, 100, 32ull << 20)),
            (std::vector<std::size_t>{4, 4, 4}));
}

// Properties over many backlogs rather than one plan copied: nothing lost, reordered or
// repeated; every batch within the caps (a message over max_bytes alone); the first batch no
// larger than first_messages; with equal sizes, batch sizes rise, then fall, never both twice.
TEST(PlanBatchesProperties, HoldForBacklogsOfEverySizeAndShape) {
  std::uint64_t seed = 12345;
  const auto next = [&seed] {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return seed >> 33;
  };
  for (std::size_t count = 0; count <= 1200; count += 1 + count / 7) {
    for (const bool equal_sizes : {true, false}) {
      std::vector<PendingMessage> pending;
      for (std::uint32_t uid = 1; uid <= count; ++uid) {
        const std::uint64_t size = equal_sizes ? 50'000 : 1 + next() % (3ull << 20);
        pending.push_back({storage::MessageKey{"INBOX", 7, uid * 3}, size});
      }
      const std::size_t first = 1 + next() % 8;
      const std::size_t most = first + next() % 120;
      const std::uint64_t max_bytes = 4ull << 20;
      const auto batches = plan_batches(pending, first, most, max_bytes);
      SCOPED_TRACE(testing::Message() << count << " messages, first " << first << ", most " << most
                                      << (equal_sizes ? ", equal sizes" : ""));
      std::size_t position = 0;
      for (const auto& batch : batches) {
        ASSERT_FALSE(batch.empty());
        EXPECT_LE(batch.size(), most);
        std::uint64_t bytes = 0;
        for (const PendingMessage& message : batch) {
          ASSERT_LT(position, pending.size());
          EXPECT_EQ(message.key.uid, pending[position++].key.uid);
          bytes += message.size;
        }
        if (batch.size() > 1) {
          EXPECT_LE(bytes, max_bytes);
        }
      }
      EXPECT_EQ(position, pending.size());
      if (!batches.empty()) {
        EXPECT_LE(batches.front().size(), first);
      }
      if (!equal_sizes) continue;
      std::size_t turns = 0;
      for (std::size_t i = 1; i + 1 < batches.size(); ++i) {
        const bool rose = batches[i].size() > batches[i - 1].size();
        const bool falls = batches[i + 1].size() < batches[i].size();
        const bool fell = batches[i].size() < batches[i - 1].size();
        const bool rises = batches[i + 1].size() > batches[i].size();
        if (fell && rises) ADD_FAILURE() << "batch " << i << " is a dip";
        if (rose && falls) ++turns;
      }
      EXPECT_LE(turns, 1u);
    }
  }
}

}  // namespace
}  // namespace contribd
