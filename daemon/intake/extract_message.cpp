#include "daemon/intake/extract_message.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>

#include "daemon/intake/cover_sheets.h"
#include "daemon/intake/crash_marker.h"
#include "daemon/notify.h"

namespace contribd {
namespace {

void log_defects(const storage::MessageKey& key, const mime::ParsedMessage& message) {
  for (const auto& defect : message.defects) {
    spdlog::debug("UID {} {}: MIME defect: {}", key.uid, message.message_id, defect);
  }
}

}  // namespace

mime::ExtractLimits extract_limits(const LimitsConfig& limits, bool accepted) {
  mime::ExtractLimits result;
  result.max_parts = static_cast<std::size_t>(limits.max_parts);
  result.max_depth = limits.max_depth;
  result.max_header_bytes = static_cast<std::size_t>(limits.max_header_bytes);
  result.max_header_field_bytes = static_cast<std::size_t>(limits.max_header_field_bytes);
  result.max_header_lines = static_cast<std::size_t>(limits.max_header_lines);
  result.max_file_bytes = limits.max_file_bytes;
  if (accepted) {
    result.max_parts = 1000000;
    result.max_depth = std::max(result.max_depth, 1000);
    result.max_header_bytes = std::max<std::size_t>(result.max_header_bytes, 64 << 20);
    result.max_header_field_bytes = result.max_header_bytes;
    result.max_header_lines = 1000000;
    result.max_file_bytes = std::max<std::uint64_t>(result.max_file_bytes, 1ull << 30);
  }
  return result;
}

Examinable take_apart(IntakeContext& context, const SpooledIntake& intake) {
  Examinable item{&intake, std::make_unique<PartSink>(intake.spool->folder()), {}};
  const mime::ExtractLimits limits =
      extract_limits(context.config.limits, intake.accepted.has_value());
  item.message = context.jail
                     ? context.jail->extract(intake.spool->fd(), intake.body.offset,
                                             intake.body.size, limits, *item.parts)
                     : mime::extract_message_from_file(intake.spool->fd(), intake.body.offset,
                                                       intake.body.size, limits, *item.parts);
  if (!context.jail && !item.message.over_limit) read_cover_sheets(item.message);
  log_defects(intake.key, item.message);
  return item;
}

TakenApart take_apart_batch(IntakeContext& context, const std::vector<SpooledIntake>& batch) {
  TakenApart taken;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    notify::work_progressed();  // one message's budget at a time (extraction_jail.h)
    // One that brought the daemon down before (crash_marker.h) is not taken apart again.
    if (batch[i].failed_too_often()) continue;
    crash_marker::set_current(batch[i].key);
    try {
      taken.items.push_back(take_apart(context, batch[i]));
      taken.positions.push_back(i);
    } catch (...) {
      taken.errors.push_back({i, std::current_exception()});
    }
  }
  crash_marker::set_current(std::nullopt);
  return taken;
}

mime::ParsedMessage header_facts(const SpooledIntake& intake) {
  constexpr std::uint64_t kHeadBytes = 64 * 1024;
  std::string head(static_cast<std::size_t>(std::min(intake.body.size, kHeadBytes)), '\0');
  const ssize_t got =
      ::pread(intake.spool->fd(), head.data(), head.size(), static_cast<off_t>(intake.body.offset));
  head.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
  mime::ParsedMessage message = mime::extract_header_facts(head);
  // The content hash identifies it; the hash of its first bytes is enough for that.
  message.raw_sha256_hex = "head:" + message.raw_sha256_hex;
  return message;
}

}  // namespace contribd
