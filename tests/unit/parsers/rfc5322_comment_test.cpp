// Where a comment of a structured header field ends: nesting, quoted pairs, unclosed ones.
#include "parsers/rfc5322_comment.h"

#include <gtest/gtest.h>

namespace contribd::rfc5322 {
namespace {

TEST(CommentEnd, EndsJustAfterTheMatchingParenthesis) {
  const CommentEnd plain = comment_end("a (note) b", 2);
  EXPECT_TRUE(plain.closed);
  EXPECT_EQ(plain.end, 8u);
  const CommentEnd nested = comment_end("(outer (inner) still) after", 0);
  EXPECT_TRUE(nested.closed);
  EXPECT_EQ(nested.end, 21u);
}

TEST(CommentEnd, QuotedPairsDoNotOpenOrClose) {
  const CommentEnd escaped = comment_end(R"((a \) b \( c) d)", 0);
  EXPECT_TRUE(escaped.closed);
  EXPECT_EQ(escaped.end, 13u);
}

TEST(CommentEnd, AnUnclosedCommentRunsToTheEnd) {
  EXPECT_FALSE(comment_end("(never closed", 0).closed);
  EXPECT_EQ(comment_end("(never closed", 0).end, 13u);
  EXPECT_FALSE(comment_end("(a (b) c", 0).closed);
  EXPECT_FALSE(comment_end("(trailing backslash \\", 0).closed);
  EXPECT_EQ(comment_end("(trailing backslash \\", 0).end, 21u);
}

static_assert(comment_end("(x)", 0).end == 3);

}  // namespace
}  // namespace contribd::rfc5322
