#include "daemon/publish/documents_json.h"

#include "daemon/cli/register_view.h"

namespace contribd::publish {

std::string documents_json(const std::vector<storage::Contribution>& contributions) {
  nlohmann::json array = nlohmann::json::array();
  for (const auto& contribution : contributions) {
    array.push_back(contribution_json(contribution, PathsShown::no));
  }
  return array.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace contribd::publish
