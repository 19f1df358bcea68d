// How the register is shown to people (a table, one contribution in full) and to programs
// (JSON, the shape of SPEC.md "list --json").
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "storage/register.h"

namespace contribd {

// Local paths of stored files are for the operator; the published list leaves them out.
enum class PathsShown { yes, no };

// One element of `list --json` (SPEC.md); revisions included, oldest first.
nlohmann::json contribution_json(const storage::Contribution& contribution,
                                 PathsShown paths = PathsShown::yes);
nlohmann::json files_json(const std::vector<storage::StoredFile>& files, PathsShown paths);
std::string contributions_table(const std::vector<storage::Contribution>& contributions);
// `history`: the register's events about the contribution, oldest first (Register::events).
std::string contribution_details(const storage::Contribution& contribution,
                                 const std::vector<storage::Event>& history = {});

}  // namespace contribd
