#include "pipeline/call_plan.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "guardrails/canonical_request.h"
#include "guardrails/response_cache.h"
#include "records/record_store.h"

namespace llmctl {
namespace {

Status InputRefusal(const GuardedInput& guard) {
  std::string rules;
  for (const GuardFinding& f : guard.findings)
    if (rules.find(f.rule) == std::string::npos) rules += (rules.empty() ? "" : ", ") + f.rule;
  return Status::GuardRefused("refused: the input looks like a prompt injection (" + rules +
                              ") and LLM_INJECTION_POLICY=block; nothing was sent");
}

}  // namespace

Status MakeCallPlan(const PipelineContext& ctx, CallSpec given, CallPlan* plan) {
  const Settings& s = *ctx.settings;
  if (!s.log_file.empty()) {
    Status st = CheckLogFile(s.log_file);
    if (!st.ok()) return st;
  }
  CallPlan p;
  p.spec = std::move(given);
  const CallSpec& spec = p.spec;
  // The documents live on only as spotlighted into the request.
  const std::vector<std::string> data = std::move(p.spec.data);
  p.spec.data.clear();
  const ContentGuardOptions guard = ContentGuardFromSettings(s);
  Status guarded = GuardInput(guard, data, &p.spec.request, &p.guard);
  if (!guarded.ok()) return guarded;
  for (const GuardFinding& f : p.guard.findings) spdlog::warn("{}", DescribeFinding(f));
  p.injection_policy = guard.policy;
  p.hold_back = MustBufferAnswer(spec.checks, guard);
  // Hashes and cache keys see the call's random tokens (boundary, canary)
  // as placeholders, so equal inputs share a hash and a cache entry.
  auto stable = [&](const ChatRequest& r) { return StableView(r, p.guard.volatile_tokens); };
  p.cache_only = s.cache_mode == CacheMode::kOnly;
  p.keys_required = !p.cache_only;
  const bool deterministic = spec.request.temperature == 0;
  p.read_cache = p.cache_only || (s.cache_mode == CacheMode::kAuto && deterministic);
  p.write_cache =
      s.cache_mode == CacheMode::kRefresh || (s.cache_mode == CacheMode::kAuto && deterministic);

  std::vector<ModelRef> refs = {spec.primary};
  refs.insert(refs.end(), spec.fallbacks.begin(), spec.fallbacks.end());
  p.claim.user = spec.user;
  p.chain.reserve(refs.size());
  for (size_t i = 0; i < refs.size(); ++i) {
    ChainLink link;
    link.ref = refs[i];
    Status st = ResolveProvider(link.ref.provider, s, *ctx.env, p.keys_required, &link.config);
    if (!st.ok()) return st;
    link.request = p.spec.request;
    link.request.model = link.ref.model;
    link.prompt_hash =
        PromptHash(CanonicalRequest(link.ref.provider, stable(link.request)), s.hash_key);
    link.price = ctx.prices->Find(link.ref.provider, link.ref.model);
    Status verdict =
        CheckPreflight(link.request, link.price.price, s.max_cost_per_request_usd, &link.estimate);
    if (i == 0) p.preflight = p.guard.refused ? InputRefusal(p.guard) : verdict;
    p.claim.tokens = std::max(p.claim.tokens, link.estimate.worst_tokens);
    p.claim.cost_nanos = std::max(p.claim.cost_nanos, link.estimate.worst_cost_nanos);
    p.chain.push_back(std::move(link));
  }
  p.cache_key_input =
      CacheKeyInput(spec.primary.provider, stable(p.primary().request), s.cache_namespace);
  p.cache_key = CacheKey(p.cache_key_input);
  *plan = std::move(p);
  return Status::Ok();
}

}  // namespace llmctl
