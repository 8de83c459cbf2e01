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

// What the call adds to the conversation afterwards.
struct PendingTurn {
  std::string name;
  std::string prompt;  // the new user message
  std::optional<std::string>
      system;  // a system message this call gave, which replaces the stored one
};

// Puts the user's conversation `name` in front of spec->request's single
// user message (the stored system message too, unless the call gives its
// own), fits it to the primary model's window and LLM_HISTORY_MAX_TOKENS,
// and fills spec->conversation and spec->history_dropped.
Status AttachConversation(Database& db, const Settings& settings, const PriceTable& prices,
                          const std::string& name, CallSpec* spec, PendingTurn* pending);

// --fit: the same window over a --messages request, whose newest turn starts
// at its last user message; the dropped messages go into history_dropped.
void FitRequestToWindow(const Settings& settings, const PriceTable& prices, CallSpec* spec);

// Appends the turn when the call succeeded (a truncated answer counts only
// under --allow-truncated, which makes it a success); otherwise nothing.
Status RecordTurn(Database& db, const CallSpec& spec, const PendingTurn& pending,
                  const CallOutcome& outcome);

}  // namespace llmctl
