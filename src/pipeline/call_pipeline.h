// The call pipeline: one chat call through every guardrail, ending in
// exactly one call record. `complete` and `eval` both run calls through it,
// so a guardrail added here protects both.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/settings.h"
#include "guardrails/pricing.h"
#include "providers/chat.h"
#include "records/call_record.h"
#include "store/database.h"
#include "util/status.h"

namespace llmctl {

struct CallSpec {
  ChatRequest request;  // model is filled from `primary`
  ModelRef primary;
  std::vector<ModelRef> fallbacks;
  std::string user;
  bool allow_truncated = false;
  std::string run_id;
  std::string case_id;
  // Carried into the record as they are.
  std::optional<std::string> conversation;
  int64_t history_dropped = 0;
  std::optional<std::string> replay_of;
};

struct CallOutcome {
  Status status;  // the exit status of the call (truncation, provider failure, ...)
  CallRecord record;
  std::string text;        // the answer (partial when truncated or a stream broke)
  bool text_emitted = false;  // some text already went to the sink
};

struct PipelineContext {
  const Settings* settings = nullptr;
  const Environment* env = nullptr;
  Database* db = nullptr;  // records are written here
  const PriceTable* prices = nullptr;  // loaded once per process (LoadPriceTable)
  TextSink on_text;        // answer text as it arrives
  // false: streamed text goes only to on_text (CallOutcome::text stays empty
  // unless the cache needs it), keeping memory flat for long answers.
  bool keep_streamed_text = true;
  const std::atomic<bool>* cancelled = nullptr;
};

// Validates what the call needs (providers, keys, LLMCTL_LOG_FILE), returning a kConfig
// status before anything is sent or written. Fills resolved provider configs.
Status PrepareCall(const PipelineContext& ctx, const CallSpec& spec);

// Runs the call and writes its record (database and LLMCTL_LOG_FILE).
// outcome->status is the call's result; the returned Status is non-ok only
// when the record itself could not be written.
Status RunCall(const PipelineContext& ctx, const CallSpec& spec, CallOutcome* outcome);

// --dry-run: the request that would be sent (keys masked), the estimate,
// and the refusal a real call would get from the pre-flight, the rate
// limits or the spend caps. Sends nothing and holds no quota. The returned
// status is that refusal (or ok).
Status DryRun(const PipelineContext& ctx, const CallSpec& spec, nlohmann::json* report);

// The canonical request that prompt_hash (and later the cache key) covers.
std::string CanonicalRequest(const std::string& provider, const ChatRequest& request);
std::string PromptHash(const std::string& canonical, const std::string& hash_key);

}  // namespace llmctl
