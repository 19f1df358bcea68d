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

TEST(PlanBatches, GrowFromTheFirstSizeToTheCapThenShrinkAtTheEnd) {
  const auto batches = plan_batches(backlog(500, 300'000), 4, 100, 32ull << 20);
  EXPECT_EQ(sizes_of(batches),
            (std::vector<std::size_t>{4, 8, 16, 32, 64, 100, 100, 100, 38, 19, 10, 5, 4}));
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

}  // namespace
}  // namespace contribd
