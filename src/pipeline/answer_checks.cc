#include <spdlog/spdlog.h>

#include "pipeline/call_stages.h"

namespace llmctl {
namespace {

std::string RuleList(const std::vector<GuardFinding>& findings) {
  std::string rules;
  for (const GuardFinding& f : findings)
    if (rules.find(f.rule) == std::string::npos) rules += (rules.empty() ? "" : ", ") + f.rule;
  return rules;
}

void AddUsage(const Usage& earlier, Usage* total) {
  total->input_tokens += earlier.input_tokens;
  total->output_tokens += earlier.output_tokens;
  total->cached_input_tokens += earlier.cached_input_tokens;
  total->reasoning_tokens += earlier.reasoning_tokens;
  total->cache_write_tokens += earlier.cache_write_tokens;
  if (total->untrusted.empty()) total->untrusted = earlier.untrusted;
}

}  // namespace

AnswerVerdict JudgeAnswer(CallRun& run, std::string_view text) {
  AnswerVerdict v =
      CheckAnswer(run.plan.spec.checks, run.plan.guard.canary, run.plan.injection_policy, text);
  for (const GuardFinding& f : v.findings) {
    run.rec.guard_findings.push_back(f);
    spdlog::warn("{}", DescribeFinding(f));
  }
  return v;
}

void WithholdAnswer(CallRun& run, const AnswerVerdict& verdict) {
  const std::string rules = RuleList(verdict.findings);
  run.out.withheld = true;
  run.rec.error = "the answer failed a content guard (" + rules + ") and was withheld";
  run.rec.error_type = ErrorTypeName(ErrorType::kGuardRefused);
  run.out.status =
      Status::GuardRefused("answer withheld: it failed the " + rules +
                           " check; see guard_findings in the record (llmctl logs -n 1)");
}

ChainOutcome RunCheckedChain(CallRun& run) {
  const CallSpec& spec = run.plan.spec;
  int64_t reasks_left = spec.checks && spec.checks->schema() ? spec.schema_retries : 0;
  std::vector<Message> followup;
  ChainOutcome c = RunAttemptChain(run);
  if (!c.answered) return c;
  c.verdict = JudgeAnswer(run, c.result.text);
  while (c.verdict.schema_only && reasks_left-- > 0) {
    spdlog::warn("asking {} again for an answer that matches the schema", run.rec.provider);
    followup.push_back({"assistant", c.result.text});
    followup.push_back({"user", OutputChecker::ReaskMessage(c.verdict.findings)});
    ChainOutcome again = RunAttemptChain(run, followup);
    again.received_bytes += c.received_bytes;
    // A re-ask that gets no answer leaves the earlier one, which failed its
    // schema: the call ends withheld, billed for what was answered.
    if (!again.answered) {
      c.received_bytes = again.received_bytes;
      return c;
    }
    AddUsage(c.result.usage, &again.result.usage);
    again.verdict = JudgeAnswer(run, again.result.text);
    c = std::move(again);
  }
  return c;
}

}  // namespace llmctl
