// The intake's progress as the watchdog sees it. The waits are short and the limits far from
// them: these check the logic, not the clock.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "daemon/notify.h"

namespace contribd::notify {
namespace {

using namespace std::chrono_literals;

class WorkProgress : public ::testing::Test {
 protected:
  WorkProgress() { work_finished(); }
  ~WorkProgress() override { work_finished(); }
};

TEST_F(WorkProgress, IdleIsNeverStalled) {
  std::this_thread::sleep_for(5ms);
  EXPECT_FALSE(work_stalled(0ms));
}

TEST_F(WorkProgress, BatchWithoutProgressStallsPastTheLimit) {
  work_started();
  EXPECT_FALSE(work_stalled(1h));
  std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(work_stalled(1ms));
  EXPECT_TRUE(work_stalled(0ms));
  EXPECT_FALSE(work_stalled(1h));
}

TEST_F(WorkProgress, ProgressStartsTheWaitAgain) {
  work_started();
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(work_stalled(200ms));
  work_progressed();
  EXPECT_FALSE(work_stalled(200ms));
  std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(work_stalled(1ms));  // still in hand: progress does not end the batch
}

TEST_F(WorkProgress, FinishedBatchIsNotStalled) {
  work_started();
  std::this_thread::sleep_for(5ms);
  ASSERT_TRUE(work_stalled(1ms));
  work_finished();
  EXPECT_FALSE(work_stalled(0ms));
}

TEST_F(WorkProgress, ProgressOutsideABatchDoesNotStartOne) {
  work_progressed();
  std::this_thread::sleep_for(5ms);
  EXPECT_FALSE(work_stalled(0ms));
}

TEST_F(WorkProgress, AnyThreadMayReport) {
  std::thread([] { work_started(); }).join();
  std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(work_stalled(1ms));
  std::thread([] { work_finished(); }).join();
  EXPECT_FALSE(work_stalled(0ms));
}

TEST_F(WorkProgress, ABatchStillInHandOnAnotherThreadKeepsTheWatch) {
  work_started();  // taking a batch apart
  work_started();  // registering the one before
  work_finished();
  std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(work_stalled(1ms)) << "one thread still has its batch in hand";
  work_progressed();
  EXPECT_FALSE(work_stalled(200ms));
  work_finished();
  EXPECT_FALSE(work_stalled(0ms));
  work_finished();  // one finish too many changes nothing
  work_started();
  std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(work_stalled(1ms));
  work_finished();
  EXPECT_FALSE(work_stalled(0ms));
}

}  // namespace
}  // namespace contribd::notify
