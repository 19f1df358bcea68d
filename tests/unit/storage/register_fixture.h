// A register in a fresh temporary folder, and contributions to put in it.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "docnum.h"
#include "storage/register.h"
#include "temp_dir.h"

namespace contribd::storage::testing {

inline UtcTime utc(int y, unsigned m, unsigned d, int hour = 0, int minute = 0) {
  using namespace std::chrono;
  return sys_days{year{y} / month{m} / day{d}} + hours{hour} + minutes{minute};
}

inline StoredFile stored_file(std::string name, std::string sha256) {
  return StoredFile{name, "application/pdf", 1234, std::move(sha256), "/srv/files/" + name};
}

inline Contribution contribution(DocumentNumber document_number, std::string sender,
                                 std::vector<std::string> hashes,
                                 std::string meeting = "QIT4N-05") {
  Contribution c{.document_number = std::move(document_number)};
  c.meeting_id = std::move(meeting);
  c.sender = std::move(sender);
  c.subject = "Contribution on QKD networks";
  c.message_id = "<" + c.document_number.text() + "@member.test>";
  c.received_at = utc(2020, 7, 20, 8);
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    c.files.push_back(stored_file("file" + std::to_string(i) + ".pdf", hashes[i]));
  }
  return c;
}

class RegisterTest : public ::testing::Test {
 protected:
  std::filesystem::path database_path() const { return dir_.path() / "state" / "contribd.sqlite"; }

  // Numbers and inserts one contribution in its own committed transaction.
  DocumentNumber register_one(const std::string& sender, std::vector<std::string> hashes,
                              const std::string& prefix = "QIT4N-I-", std::int64_t first = 1) {
    auto transaction = reg_.begin();
    const auto number = reg_.next_document_number(prefix, first);
    reg_.insert_contribution(contribution(number, sender, std::move(hashes)));
    transaction.commit();
    return number;
  }

  TempDir dir_;
  Register reg_ = Register::open(database_path());
};

}  // namespace contribd::storage::testing
