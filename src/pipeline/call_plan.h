// CallPlan: everything about a call that is decided before it runs, worked
// out once: the input guard's scan and spotlighting, each provider of the
// chain resolved (its key read once), the request as addressed to each
// model, the prompt hashes, the cache key, the pre-flight estimates and the
// worst case the limits must hold.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "guardrails/content_guard.h"
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
  CallSpec spec;                 // its request guarded: data spotlighted, canary added
  std::vector<ChainLink> chain;  // the primary, then the fallbacks in order
  // The input guard's scan of the prompt and every data document. An input
  // it blocks is refused through `preflight`, before the cache is read.
  GuardedInput guard;
  InjectionPolicy injection_policy = InjectionPolicy::kWarn;
  // An answer that must pass checks reaches no sink before it has: a
  // stream is held back and printed whole once it passes.
  bool hold_back = false;
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
  bool cache_only = false;    // a hermetic replay: never contacts a provider
  bool keys_required = true;  // false for a replay, which needs no key

  const ChainLink& primary() const { return chain.front(); }
};

// Guards the input, then resolves and estimates everything the call needs,
// returning a kConfig status (unknown provider, missing key, bad base URL,
// an LLMCTL_LOG_FILE that cannot be written, an injection pattern that does
// not compile) before anything is sent or written. The scanner's findings
// are warned about here, once. A refusal (the guard under block, the
// pre-flight) is not an error here: it is kept in plan->preflight for the
// call to record.
// The spec is taken by value: a caller done with it moves it in.
Status MakeCallPlan(const PipelineContext& ctx, CallSpec spec, CallPlan* plan);

}  // namespace llmctl
