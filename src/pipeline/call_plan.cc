#include "pipeline/call_plan.h"

#include <algorithm>

#include "guardrails/canonical_request.h"
#include "guardrails/response_cache.h"
#include "records/record_store.h"

namespace llmctl {

Status MakeCallPlan(const PipelineContext& ctx, const CallSpec& spec, CallPlan* plan) {
  const Settings& s = *ctx.settings;
  if (!s.log_file.empty()) {
    Status st = CheckLogFile(s.log_file);
    if (!st.ok()) return st;
  }
  CallPlan p;
  p.spec = spec;
  p.cache_only = s.cache_mode == CacheMode::kOnly;
  p.keys_required = !p.cache_only;
  const bool deterministic = spec.request.temperature == 0;
  p.read_cache = p.cache_only || (s.cache_mode == CacheMode::kAuto && deterministic);
  p.write_cache = s.cache_mode == CacheMode::kRefresh || (s.cache_mode == CacheMode::kAuto && deterministic);

  std::vector<ModelRef> refs = {spec.primary};
  refs.insert(refs.end(), spec.fallbacks.begin(), spec.fallbacks.end());
  p.claim.user = spec.user;
  for (size_t i = 0; i < refs.size(); ++i) {
    ChainLink link;
    link.ref = refs[i];
    Status st = ResolveProvider(link.ref.provider, s, *ctx.env, p.keys_required, &link.config);
    if (!st.ok()) return st;
    link.request = spec.request;
    link.request.model = link.ref.model;
    link.prompt_hash = PromptHash(CanonicalRequest(link.ref.provider, link.request), s.hash_key);
    link.price = ctx.prices->Find(link.ref.provider, link.ref.model);
    Status verdict = CheckPreflight(link.request, link.price.price, s.max_cost_per_request_usd, &link.estimate);
    if (i == 0) p.preflight = verdict;
    p.claim.tokens = std::max(p.claim.tokens, link.estimate.worst_tokens);
    p.claim.cost_nanos = std::max(p.claim.cost_nanos, link.estimate.worst_cost_nanos);
    p.chain.push_back(std::move(link));
  }
  p.cache_key_input = CacheKeyInput(spec.primary.provider, p.primary().request, s.cache_namespace);
  p.cache_key = CacheKey(p.cache_key_input);
  *plan = std::move(p);
  return Status::Ok();
}

}  // namespace llmctl
