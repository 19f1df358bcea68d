// The decide and reply steps: what the reply rules see of a message, whether its sender is
// trusted (SPEC step 4), the reply decision, and the reply composed and queued with the
// registration, in its transaction.
#pragma once

#include <optional>

#include "daemon/intake/registration.h"
#include "daemon/policy/reply_decision.h"
#include "daemon/policy/sender_trust.h"
#include "parsers/mime_extract.h"

namespace contribd {

// The facts the reply and hold rules look at, from the message alone.
policy::ReplyInput reply_input(const IntakeContext& context, const mime::ParsedMessage& message);

// SPEC step 4: without [trust] nothing is checked; with it, the From address must be
// authenticated by our own server's Authentication-Results.
std::optional<policy::SenderTrust> judge_sender(const IntakeContext& context,
                                                const policy::ReplyInput& input);

// The reply decision, taken once: the hold rules already ran, so what withholds here is the
// secretariat's own address, a loop marker, an unauthenticated sender or a rate limit.
policy::ReplyDecision decide_the_reply(IntakeContext& context, policy::ReplyInput& input,
                                       const std::optional<policy::SenderTrust>& trust,
                                       const std::optional<policy::HoldDecision>& robot,
                                       UtcTime now);

// Queues the reply (composed even when withheld, so that `contribd release` can send it).
void queue_the_reply(IntakeContext& context, const mime::ParsedMessage& message, Registered& done,
                     UtcTime received, const policy::ReplyDecision& decision, UtcTime now);

}  // namespace contribd
