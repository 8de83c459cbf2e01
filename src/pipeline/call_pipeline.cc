#include "pipeline/call_pipeline.h"

#include "pipeline/call_stages.h"
#include "util/hash.h"

namespace llmctl {

CallRun::CallRun(const PipelineContext& c, const CallPlan& p, CallOutcome* o)
    : ctx(c),
      settings(*c.settings),
      clock(c.Clock()),
      plan(p),
      out(*o),
      rec(o->record),
      start(clock.Now()),
      state(c.NewStateStore()) {
  const CallSpec& spec = plan.spec;
  rec.timestamp_ms = clock.NowUnixMs();
  rec.request_id = NewUuidV7();
  rec.user_id = spec.user;
  rec.run_id = spec.run_id;
  rec.case_id = spec.case_id;
  rec.conversation = spec.conversation;
  rec.history_dropped = spec.history_dropped;
  rec.replay_of = spec.replay_of;
  rec.tags = spec.tags;
  rec.provider = spec.primary.provider;
  rec.model = spec.primary.model;
  rec.prompt_hash = plan.primary().prompt_hash;
  rec.guard_findings = plan.guard.findings;
  rec.state_backend = state->backend();
}

double CallRun::MsSince(std::chrono::steady_clock::time_point t) const {
  return std::chrono::duration<double, std::milli>(clock.Now() - t).count();
}

Status RunCall(const PipelineContext& ctx, const CallPlan& plan, CallOutcome* out) {
  CallRun run(ctx, plan, out);
  // An input the guard blocks gets nothing, not even a cached answer.
  if (!plan.guard.refused && ServeFromCache(run)) return RecordCall(run);

  Reservation reservation;
  Status admitted = AdmitCall(run, &reservation);
  if (IsRefusal(admitted)) return RecordRefusal(run, admitted);
  if (!admitted.ok()) return admitted;

  ChainOutcome chain = RunCheckedChain(run);
  const bool billed = AccountCall(run, &chain);
  if (chain.answered) StoreInCache(run, chain.result.usage);
  return RecordCall(run, [&] {
    return billed ? run.state->Settle(reservation, run.rec.input_tokens + run.rec.output_tokens,
                                      run.rec.cost_nanos)
                  : run.state->Release(reservation);
  });
}

}  // namespace llmctl
