// The call pipeline: one chat call through every guardrail, ending in
// exactly one call record. `complete` and `eval` both run calls through it,
// so a guardrail added here protects both.
//
// A call is planned once (MakeCallPlan, call_plan.h), then runs through its
// stages (call_stages.h): the cache, admission, the attempt chain,
// accounting and the record.
#pragma once

#include <nlohmann/json.hpp>

#include "pipeline/call_plan.h"
#include "pipeline/pipeline_context.h"
#include "util/status.h"

namespace llmctl {

// Runs the planned call and writes its record (database and
// LLMCTL_LOG_FILE). outcome->status is the call's result; the returned
// Status is non-ok only when the record itself could not be written, or the
// limits could not be read.
Status RunCall(const PipelineContext& ctx, const CallPlan& plan, CallOutcome* outcome);

// --dry-run: the request that would be sent (keys masked), the estimate,
// and the refusal a real call would get from the pre-flight, the rate
// limits or the spend caps. Sends nothing and holds no quota. The returned
// status is that refusal (or ok).
Status DryRun(const PipelineContext& ctx, const CallPlan& plan, nlohmann::json* report);

}  // namespace llmctl
