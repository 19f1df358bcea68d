// Published names and links: the file store's safe names, percent-encoded in links; text from
// mail made fit for a page.
#include <gtest/gtest.h>

#include "daemon/publish/published_paths.h"
#include "daemon/publish/web_text.h"
#include "publish_fixture.h"

namespace contribd::publish::testing {
namespace {

TEST(PublishPaths, FilesUnderTheirNumberAndRevision) {
  const auto file = file_at("/var/lib/contribd/files/QIT4N-05/QIT4N-I-007/rev2/report v2.pdf");
  EXPECT_EQ(published_file_path(docnum("QIT4N-I-007"), file, 0), "files/QIT4N-I-007/report v2.pdf");
  EXPECT_EQ(published_file_path(docnum("QIT4N-I-007"), file, 2),
            "files/QIT4N-I-007/rev2/report v2.pdf");
}

TEST(PublishPaths, NamesAreTheStoredOnesNeverTheSendersPath) {
  storage::StoredFile file = file_at("/srv/files/QIT4N-05/QIT4N-I-001/passwd");
  file.filename = "../../etc/passwd";
  EXPECT_EQ(published_name(file), "passwd");
  file.path.clear();  // not stored yet: the sender's name made safe
  EXPECT_EQ(published_name(file), "passwd");
  EXPECT_EQ(meeting_folder("../../etc"), "_.._etc");
}

TEST(PublishPaths, LinksPercentEncodeEverythingButUnreservedAndSlashes) {
  EXPECT_EQ(link_to("files/QIT4N-I-001/a b&c#d?.pdf"), "files/QIT4N-I-001/a%20b%26c%23d%3F.pdf");
  EXPECT_EQ(link_to("files/D/\xC3\xA9t\xC3\xA9.docx"), "files/D/%C3%A9t%C3%A9.docx");
  EXPECT_EQ(link_to("files/D/x\"onerror=.pdf"), "files/D/x%22onerror%3D.pdf");
  EXPECT_EQ(link_to("A-z_0.9~"), "A-z_0.9~");
}

TEST(PublishWebText, ControlsBecomeSpacesNoncharactersAndBadBytesReplacementCharacters) {
  EXPECT_EQ(text_for_page("a\tb\r\nc\x1b[2J\xC2\x85"
                          "d"),
            "a b  c [2J d");
  EXPECT_EQ(text_for_page("x\xEF\xBF\xBEy\xEF\xB7\x90z"), "x\xEF\xBF\xBDy\xEF\xBF\xBDz");
  EXPECT_EQ(text_for_page("caf\xe9"), "caf\xEF\xBF\xBD");
  EXPECT_EQ(text_for_page("r\xE2\x80\xAE"
                          "fdp.exe"),
            "r\xE2\x80\xAE"
            "fdp.exe");  // <bdi> isolates it
  EXPECT_EQ(text_for_data("two\nlines\x1b"), "two\nlines\x1b");
  EXPECT_EQ(text_for_data("caf\xe9"), "caf\xEF\xBF\xBD");
}

}  // namespace
}  // namespace contribd::publish::testing
