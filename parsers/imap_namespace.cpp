#include "parsers/imap_namespace.h"

#include <fmt/format.h>

#include <string_view>

namespace contribd::imap {
namespace {

// One group: NIL, or a list of descriptors ("prefix" "separator" *extension).
std::vector<Namespace> read_group(const Value& group, std::string_view name,
                                  std::vector<std::string>& defects) {
  std::vector<Namespace> spaces;
  if (group.kind == Value::Kind::nil) return spaces;
  if (group.kind != Value::Kind::list) {
    defects.push_back(fmt::format("{} namespaces: neither NIL nor a list", name));
    return spaces;
  }
  std::size_t number = 0;
  for (const Value& descriptor : group.items) {
    ++number;
    const bool shaped = descriptor.kind == Value::Kind::list && descriptor.items.size() >= 2 &&
                        descriptor.items[0].kind == Value::Kind::string &&
                        (descriptor.items[1].kind == Value::Kind::string ||
                         descriptor.items[1].kind == Value::Kind::nil);
    if (!shaped) {
      defects.push_back(fmt::format("{} namespace {}: not (prefix separator)", name, number));
      continue;
    }
    const std::string& separator = descriptor.items[1].text;
    if (separator.size() > 1) {
      defects.push_back(fmt::format("{} namespace {}: separator of {} characters", name, number,
                                    separator.size()));
      continue;
    }
    spaces.push_back(Namespace{descriptor.items[0].text, separator});
  }
  return spaces;
}

}  // namespace

std::optional<Namespaces> parse_namespaces(const Response& response) {
  if (response.kind != Response::Kind::untagged || response.name != "NAMESPACE") {
    return std::nullopt;
  }
  Namespaces result;
  if (response.values.size() != 3) {
    result.defects.push_back(fmt::format("{} groups instead of 3 (personal, other users, shared)",
                                         response.values.size()));
  }
  const Value nil;
  const auto group = [&](std::size_t index) -> const Value& {
    return index < response.values.size() ? response.values[index] : nil;
  };
  result.personal = read_group(group(0), "personal", result.defects);
  result.other_users = read_group(group(1), "other users'", result.defects);
  result.shared = read_group(group(2), "shared", result.defects);
  return result;
}

}  // namespace contribd::imap
