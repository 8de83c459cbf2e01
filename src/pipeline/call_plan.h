// CallPlan: everything about a call that is decided before it runs, worked
// out once: each provider of the chain resolved (its key read once), the
// request as addressed to each model, the prompt hashes, the cache key, the
// pre-flight estimates and the worst case the limits must hold.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "guardrails/limits.h"
#include "guardrails/preflight.h"
#include "guardrails/pricing.h"
#include "pipeline/pipeline_context.h"
#include "util/status.h"

namespace llmctl {

// One model of the chain at its resolved provider.
struct ChainLink {
  ModelRef ref;
  ProviderConfig config;
  ChatRequest request;  // the call's request with this link's model
  std::string prompt_hash;
  PriceLookup price;
  PreflightEstimate estimate;
};

struct CallPlan {
  CallSpec spec;
  std::vector<ChainLink> chain;  // the primary, then the fallbacks in order
  // Only the primary must pass the pre-flight; a fallback whose window is
  // too small is skipped when the call gets there.
  Status preflight;
  // The worst case over the whole chain: the call may end up on the most
  // expensive model, so that is what the limits reserve.
  UsageClaim claim;
  nlohmann::json cache_key_input;
  std::string cache_key;
  bool read_cache = false;
  bool write_cache = false;
  bool cache_only = false;  // a hermetic replay: never contacts a provider
  bool keys_required = true;  // false for a replay, which needs no key

  const ChainLink& primary() const { return chain.front(); }
};

// Resolves and estimates everything the call needs, returning a kConfig
// status (unknown provider, missing key, bad base URL, an LLMCTL_LOG_FILE
// that cannot be written) before anything is
// sent or written. A pre-flight refusal is not an error here: it is kept
// in plan->preflight for the call to record.
Status MakeCallPlan(const PipelineContext& ctx, const CallSpec& spec, CallPlan* plan);

}  // namespace llmctl
