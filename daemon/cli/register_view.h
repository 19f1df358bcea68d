// How the register is shown to people (a table, one contribution in full) and to programs
// (JSON, the shape of SPEC.md "list --json").
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "storage/register.h"

namespace contribd {

nlohmann::json contribution_json(const storage::Contribution& contribution);
std::string contributions_table(const std::vector<storage::Contribution>& contributions);
// `history`: the register's events about the contribution, oldest first (Register::events).
std::string contribution_details(const storage::Contribution& contribution,
                                 const std::vector<storage::Event>& history = {});

}  // namespace contribd
