// A call's place in a conversation: its history is loaded in front of the
// new turn and cut by the sliding window before the call, and the new turn
// is added only after the call succeeded, so a failed, refused or
// truncated call leaves the conversation as it was.
#pragma once

#include <optional>
#include <string>

#include "config/settings.h"
#include "guardrails/pricing.h"
#include "pipeline/call_pipeline.h"
#include "store/database.h"
#include "util/status.h"

namespace llmctl {

// Puts the user's conversation `name` in front of spec->request's single
// user message (the stored system message too, unless the call gives its
// own), fits it to the primary model's window and LLM_HISTORY_MAX_TOKENS,
// and fills spec->conversation, spec->history_dropped and spec->new_turn.
Status AttachConversation(Database& db, const Settings& settings, const PriceTable& prices,
                          const std::string& name, CallSpec* spec);

// --fit: the same window over a --messages request, whose newest turn starts
// at its last user message; the dropped messages go into history_dropped.
void FitRequestToWindow(const Settings& settings, const PriceTable& prices, CallSpec* spec);

// Appends spec.new_turn when the call succeeded: an answer (fresh or from
// the cache) without an error; a truncated answer only under
// --allow-truncated. A failed, refused or truncated call changes nothing.
// Joins the caller's transaction when one is open.
Status AppendTurnIfSucceeded(Database& db, const CallSpec& spec, const CallOutcome& outcome);

}  // namespace llmctl
