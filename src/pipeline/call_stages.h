// The stages one call goes through, in order: the cache, admission, the
// attempt chain with the answer's checks, accounting, and the record. Each stage reads the plan and
// adds to the call's record; RunCall (call_pipeline.cc) tells the story.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

#include "guardrails/content_guard.h"
#include "guardrails/limits.h"
#include "pipeline/call_plan.h"
#include "pipeline/pipeline_context.h"
#include "pipeline/state_store.h"
#include "providers/chat.h"
#include "util/status.h"

namespace llmctl {

// One call in progress: what it runs against and what it has produced.
struct CallRun {
  CallRun(const PipelineContext& ctx, const CallPlan& plan, CallOutcome* out);

  const PipelineContext& ctx;
  const Settings& settings;
  const PipelineClock& clock;
  const CallPlan& plan;
  CallOutcome& out;
  CallRecord& rec;
  const std::chrono::steady_clock::time_point start;
  const std::unique_ptr<StateStore> state;

  double MsSince(std::chrono::steady_clock::time_point t) const;
};

// Cache: serves the answer stored for the plan's key, once it passes the
// call's output checks (they may differ from the call that stored it). True
// when the call ends here: a hit (served or withheld), or a miss when only
// replays are allowed (then out.status says so).
bool ServeFromCache(CallRun& run);

// Cache: keeps a complete answer (finish reason stop or tool_calls) that
// was not withheld, for the next identical call, when the plan writes the
// cache.
void StoreInCache(CallRun& run, const Usage& usage);

// Admission: the pre-flight verdict, then the rate limits and spend caps.
// An admitted call holds its worst case in *reservation until it settles.
Status AdmitCall(CallRun& run, Reservation* reservation);

// True for the refusals admission gives (the input guard, pre-flight, rate
// limit, spend cap): the call's outcome, recorded, rather than a failure of
// llmctl.
bool IsRefusal(const Status& status);

LimitConfig LimitsFromSettings(const Settings& settings);

// Attempt chain: how far down the primary and its fallbacks the call went.
struct ChainOutcome {
  bool answered = false;
  ChatResult result;             // answered: the answer
  size_t served_index = 0;       // the link that answered, else the last one contacted
  ProviderFailure last_failure;  // not answered: why
  int64_t received_bytes = 0;    // answer text streamed, for an interrupted call's bill
  AnswerVerdict verdict;         // answered: the output checks' verdict
};

// Tries each link in order with retries, backoff, the circuit breaker and
// the whole-call deadline; every attempt (or skip) is added to the record.
// followup is appended to every link's request (a re-ask: the earlier answer
// and what was wrong with it). With plan.hold_back, streamed text reaches
// no sink.
ChainOutcome RunAttemptChain(CallRun& run, const std::vector<Message>& followup = {});

// The attempt chain, its answer judged by the output checks and the canary.
// An answer failing only its schema is asked again (spec.schema_retries
// times) with the validation errors, the earlier answer kept in the
// conversation; the returned usage is every round's, since every round is
// paid for.
ChainOutcome RunCheckedChain(CallRun& run);

// Judges an answer (fresh or cached): each finding is added to the record
// and warned about.
AnswerVerdict JudgeAnswer(CallRun& run, std::string_view text);

// Marks the call's answer withheld for the verdict's findings: exit 10, and
// the answer goes to no sink and into no cache.
void WithholdAnswer(CallRun& run, const AnswerVerdict& verdict);

// Accounting: fills the record's usage, cost and finish from the chain's
// outcome and sets out.status (truncation, content filter, failure, a
// withheld answer); a held-back answer that passed goes to the sink. True
// when the provider billed the call, so its reservation settles at what was
// used: an answer, or a request interrupted after it was sent (Ctrl-C,
// SIGTERM, a closed pipe), billed for its input and the text received.
[[nodiscard]] bool AccountCall(CallRun& run, ChainOutcome* chain);

// Record: writes the record (database, then LLMCTL_LOG_FILE) and publishes
// it to shared state. settle, when given, runs inside the same write
// transaction when the state lives in that database (one transaction
// instead of two, since every process pays for each), else just before it.
Status RecordCall(CallRun& run, const std::function<Status()>& settle = nullptr);

// Record: a call refused before anything was sent.
Status RecordRefusal(CallRun& run, const Status& why);

}  // namespace llmctl
