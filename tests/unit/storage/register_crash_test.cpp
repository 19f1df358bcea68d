// A process killed with SIGKILL in the middle of registering leaves no trace of the
// unfinished contribution, and everything it committed before is still there.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "register_fixture.h"

namespace contribd::storage::testing {
namespace {

// Runs `work` in a child process that then kills itself, and waits for it.
template <typename Work>
void run_in_killed_child(Work work) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    try {
      work();
    } catch (...) {
      _exit(3);
    }
    raise(SIGKILL);
    _exit(4);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child failed before it could be killed";
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
}

TEST_F(RegisterTest, KilledWriterLosesOnlyItsUncommittedWork) {
  const auto path = database_path();
  run_in_killed_child([&] {
    auto reg = Register::open(path);
    {
      auto committed = reg.begin();
      const auto number = reg.next_document_number("QIT4N-I-", 1);
      reg.insert_contribution(contribution(number, "a@member.test", {"aa"}));
      reg.record_examined({"INBOX", 1, 1}, "<a@h>", "01", {Outcome::registered, number, "", false});
      committed.commit();
    }
    auto unfinished = reg.begin();
    const auto number = reg.next_document_number("QIT4N-I-", 1);
    reg.insert_contribution(contribution(number, "b@member.test", {"bb"}));
    reg.record_examined({"INBOX", 1, 2}, "<b@h>", "02", {Outcome::registered, number, "", false});
    raise(SIGKILL);  // with the transaction open
  });

  auto reopened = Register::open(path);
  const auto all = reopened.list();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].document_number, docnum("QIT4N-I-001"));
  EXPECT_TRUE(reopened.examined({"INBOX", 1, 1}));
  EXPECT_FALSE(reopened.examined({"INBOX", 1, 2}));
  auto transaction = reopened.begin();  // the dead writer's lock is gone
  EXPECT_EQ(reopened.next_document_number("QIT4N-I-", 1), docnum("QIT4N-I-002"));
}

}  // namespace
}  // namespace contribd::storage::testing
