#include "pipeline/call_pipeline.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <random>
#include <thread>

#include <spdlog/spdlog.h>

#include "guardrails/admission_wait.h"
#include "guardrails/circuit_breaker.h"
#include "guardrails/limits.h"
#include "guardrails/preflight.h"
#include "guardrails/pricing.h"
#include "guardrails/response_cache.h"
#include "guardrails/retry_policy.h"
#include "pipeline/failure_summary.h"
#include "pipeline/interrupted_usage.h"
#include "providers/provider.h"
#include "records/record_store.h"
#include "util/hash.h"
#include "util/process_clock.h"
#include "util/time_format.h"

namespace llmctl {
namespace {

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// OpenAI-protocol providers report reasoning inside completion tokens.
bool ReasoningInOutput(ProviderKind kind) {
  return kind == ProviderKind::kOpenAI || kind == ProviderKind::kOpenAICompatible ||
         kind == ProviderKind::kAnthropic;
}

// One breaker per endpoint: the same provider name may point at different
// servers in different configurations.
std::string EndpointKey(const ProviderConfig& cfg) {
  return cfg.name + " " + cfg.base_url;
}

std::string FormatSeconds(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", seconds);
  return buf;
}

// Sleeps in short steps so SIGINT ends a backoff at once.
bool SleepUnlessCancelled(int64_t ms, const std::atomic<bool>* cancelled) {
  const auto until = Clock::now() + std::chrono::milliseconds(ms);
  while (Clock::now() < until) {
    if (cancelled && cancelled->load()) return false;
    std::this_thread::sleep_for(std::min<Clock::duration>(std::chrono::milliseconds(20), until - Clock::now()));
  }
  return !(cancelled && cancelled->load());
}

// Reservations outlive the whole-call deadline by a margin, so only a
// process that died leaves one to expire.
int64_t ReservationTtlMs(const Settings& s) {
  return static_cast<int64_t>(s.deadline_seconds * 1000) + 60'000;
}

Status StatusForFailure(const std::string& provider, const ProviderFailure& f) {
  std::string line = provider + " failed";
  if (f.http_status) line += " with HTTP " + std::to_string(f.http_status);
  if (!f.provider_error_type.empty()) line += " " + f.provider_error_type;
  line += ": " + (f.message.empty() ? f.error_type : f.message);
  if (f.error_type == "interrupted") return Status::Interrupted("interrupted; the request was aborted");
  return Status::Provider(line);
}

// A --cache only miss, naming what sets this request apart from a stored
// entry for the same prompt when there is one.
Status CacheOnlyMiss(ResponseCache& cache, const nlohmann::json& key_input, const std::string& key) {
  const std::string near = cache.DescribeNearMiss(key_input);
  std::string line = "cache miss: --cache only never calls a provider and no cached answer matches this request (key " +
                     key.substr(0, 12) + "…); ";
  if (!near.empty())
    return Status::Provider(line + "an entry for the same prompt differs in " + near +
                            ": replay with the settings it was recorded with, or record it again with --cache refresh");
  return Status::Provider(line + "record it first with --cache refresh or import a cassette with `llmctl cache import`");
}

}  // namespace

std::string CanonicalRequest(const std::string& provider, const ChatRequest& r) {
  nlohmann::json messages = nlohmann::json::array();
  for (const Message& m : r.messages) messages.push_back({{"role", m.role}, {"content", m.content}});
  nlohmann::json j = {{"provider", provider},   {"model", r.model},
                      {"system", r.system},     {"messages", messages},
                      {"max_tokens", r.max_tokens}, {"temperature", r.temperature},
                      {"stop", r.stop}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string PromptHash(const std::string& canonical, const std::string& hash_key) {
  if (!hash_key.empty()) return "hmac-sha256:" + HmacSha256Hex(hash_key, canonical);
  return "sha256:" + Sha256Hex(canonical);
}

LimitConfig LimitsFromSettings(const Settings& s) {
  LimitConfig c;
  c.tokens_per_window = s.rate_limit_tokens;
  c.requests_per_window = s.rate_limit_requests;
  c.window_seconds = s.rate_limit_window_seconds;
  c.user_daily_budget_nanos = UsdToNanos(s.user_daily_budget_usd);
  c.daily_budget_nanos = UsdToNanos(s.daily_budget_usd);
  return c;
}

std::string ErrorTypeFor(StatusCode code) {
  switch (code) {
    case StatusCode::kRateLimited: return "rate_limited";
    case StatusCode::kBudget: return "budget_exceeded";
    case StatusCode::kContextWindow: return "context_window";
    default: return "provider_error";
  }
}

Status Preflight(const Settings& s, const PriceTable& prices, const CallSpec& spec,
                 PreflightEstimate* primary, UsageClaim* claim) {
  std::vector<ModelRef> chain = {spec.primary};
  chain.insert(chain.end(), spec.fallbacks.begin(), spec.fallbacks.end());
  claim->user = spec.user;
  for (size_t i = 0; i < chain.size(); ++i) {
    ChatRequest request = spec.request;
    request.model = chain[i].model;
    PreflightEstimate est;
    Status st = CheckPreflight(request, prices.Find(chain[i].provider, chain[i].model).price,
                               s.max_cost_per_request_usd, &est);
    // Only the primary must fit; a fallback that would not is skipped later.
    if (i == 0) {
      *primary = est;
      if (!st.ok()) return st;
    }
    // Reserve for the most expensive model the call may end up on.
    claim->tokens = std::max(claim->tokens, est.worst_tokens);
    claim->cost_nanos = std::max(claim->cost_nanos, est.worst_cost_nanos);
  }
  return Status::Ok();
}

Status DryRun(const PipelineContext& ctx, const CallSpec& spec, nlohmann::json* report) {
  const Settings& s = *ctx.settings;
  ProviderConfig cfg;
  Status st = ResolveProvider(spec.primary.provider, s, *ctx.env, true, &cfg);
  if (!st.ok()) return st;
  const PriceTable& prices = *ctx.prices;
  ChatRequest request = spec.request;
  request.model = spec.primary.model;
  const PriceLookup price = prices.Find(spec.primary.provider, request.model);
  PreflightEstimate est;
  UsageClaim claim;
  Status verdict = Preflight(s, prices, spec, &est, &claim);
  UsageSnapshot usage;
  if (verdict.ok() && ctx.db) {
    Limiter limiter(*ctx.db, LimitsFromSettings(s));
    Reservation unused;
    verdict = limiter.Admit(claim, NowUnixMs(), false, 0, &unused);
    st = limiter.Snapshot(spec.user, NowUnixMs(), &usage);
    if (!st.ok()) return st;
  }
  auto or_null = [](int64_t v) { return v ? nlohmann::json(v) : nlohmann::json(); };
  *report = {
      {"dry_run", true},
      {"provider", spec.primary.provider},
      {"model", request.model},
      {"user_id", spec.user},
      {"request", MakeProvider(cfg)->DescribeRequest(request)},
      {"estimate",
       {{"input_tokens", est.input_tokens},
        {"output_tokens", est.output_tokens},
        {"max_output_tokens", request.max_tokens},
        {"cost_usd", NanosToUsd(est.cost_nanos)},
        {"worst_case_cost_usd", NanosToUsd(est.worst_cost_nanos)},
        {"price_source", price.source},
        {"context_window", or_null(est.context_window)},
        {"context_used", est.context_window
                             ? nlohmann::json(static_cast<double>(est.worst_tokens) / est.context_window)
                             : nlohmann::json()}}},
      {"limits",
       {{"window_tokens_used", usage.window_tokens},
        {"window_tokens_limit", s.rate_limit_tokens},
        {"window_requests_used", usage.window_requests},
        {"window_requests_limit", s.rate_limit_requests},
        {"user_spend_today_usd", NanosToUsd(usage.user_spend_nanos)},
        {"user_daily_budget_usd", s.user_daily_budget_usd},
        {"total_spend_today_usd", NanosToUsd(usage.total_spend_nanos)},
        {"daily_budget_usd", s.daily_budget_usd}}},
      {"would_send", verdict.ok()},
      {"refusal", verdict.ok() ? nlohmann::json() : nlohmann::json(verdict.message())},
  };
  return verdict;
}

Status PrepareCall(const PipelineContext& ctx, const CallSpec& spec) {
  // A hermetic replay never contacts a provider, so it needs no key.
  const bool need_keys = ctx.settings->cache_mode != "only";
  if (!ctx.settings->log_file.empty()) {
    Status st = CheckLogFile(ctx.settings->log_file);
    if (!st.ok()) return st;
  }
  ProviderConfig cfg;
  Status st = ResolveProvider(spec.primary.provider, *ctx.settings, *ctx.env, need_keys, &cfg);
  if (!st.ok()) return st;
  for (const ModelRef& f : spec.fallbacks) {
    st = ResolveProvider(f.provider, *ctx.settings, *ctx.env, need_keys, &cfg);
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

Status RunCall(const PipelineContext& ctx, const CallSpec& spec, CallOutcome* out) {
  const Settings& s = *ctx.settings;
  const auto call_start = Clock::now();
  CallRecord& rec = out->record;
  rec.timestamp_ms = NowUnixMs();
  rec.request_id = NewUuidV7();
  rec.user_id = spec.user;
  rec.run_id = spec.run_id;
  rec.case_id = spec.case_id;
  rec.conversation = spec.conversation;
  rec.history_dropped = spec.history_dropped;
  rec.replay_of = spec.replay_of;
  const PriceTable& prices = *ctx.prices;
  rec.provider = spec.primary.provider;
  rec.model = spec.primary.model;
  {
    ChatRequest request = spec.request;
    request.model = spec.primary.model;
    rec.prompt_hash = PromptHash(CanonicalRequest(spec.primary.provider, request), s.hash_key);
  }
  // The record goes in together with the settlement of the reservation: one
  // write transaction instead of two, since every process pays for each.
  auto finish = [&](const std::function<Status()>& settle = nullptr) -> Status {
    rec.latency_ms = MsSince(call_start);
    const std::string line = rec.ToJsonLine();
    Transaction tx(*ctx.db);
    if (!tx.status().ok()) return tx.status();
    if (settle) {
      Status settled = settle();
      if (!settled.ok()) spdlog::warn("{}", settled.message());
    }
    Status st = InsertCallRecord(*ctx.db, rec, line);
    if (st.ok()) st = tx.Commit();
    if (!st.ok()) return st;
    if (!s.log_file.empty()) return AppendLogLine(s.log_file, line);
    return Status::Ok();
  };
  auto refuse = [&](const Status& why) {
    rec.finish_reason = "error";
    rec.error = why.message();
    rec.error_type = ErrorTypeFor(why.code());
    out->status = why;
    return finish();
  };

  // The cache comes before the limits: a hit costs nothing and sends
  // nothing, so it neither needs nor uses quota.
  ResponseCache cache(*ctx.db);
  const bool deterministic = spec.request.temperature == 0;
  const bool read_cache = s.cache_mode == "only" || (s.cache_mode == "auto" && deterministic);
  const bool write_cache = s.cache_mode == "refresh" || (s.cache_mode == "auto" && deterministic);
  ChatRequest keyed = spec.request;
  keyed.model = spec.primary.model;
  const nlohmann::json key_input = CacheKeyInput(spec.primary.provider, keyed, s.cache_namespace);
  const std::string cache_key = CacheKey(key_input);
  if (read_cache) {
    auto hit = s.cache_mode == "only" ? cache.LookupAnyAge(cache_key) : cache.Lookup(cache_key, NowUnixMs());
    if (hit) {
      rec.cache_hit = true;
      rec.provider = hit->provider;
      rec.model = hit->model;
      rec.input_tokens = hit->usage.input_tokens;
      rec.output_tokens = hit->usage.output_tokens;
      rec.cached_input_tokens = hit->usage.cached_input_tokens;
      rec.reasoning_tokens = hit->usage.reasoning_tokens;
      rec.price_source = hit->price_source;
      rec.saved_cost_nanos = hit->cost_nanos;
      rec.finish_reason = hit->finish_reason;
      rec.provider_finish_reason = hit->provider_finish_reason;
      out->text = hit->text;
      out->text_emitted = !hit->text.empty();
      if (ctx.on_text && !hit->text.empty()) ctx.on_text(hit->text);
      return finish();
    }
    if (s.cache_mode == "only") {
      rec.finish_reason = "error";
      rec.error = "cache miss in --cache only mode (key " + cache_key.substr(0, 12) + ")";
      rec.error_type = "provider_error";
      out->status = CacheOnlyMiss(cache, key_input, cache_key);
      return finish();
    }
  }

  PreflightEstimate estimate;
  UsageClaim claim;
  Status st = Preflight(s, prices, spec, &estimate, &claim);
  if (!st.ok()) return refuse(st);
  Limiter limiter(*ctx.db, LimitsFromSettings(s));
  Reservation reservation;
  const auto admit_start = Clock::now();
  {
    // The record's insert is tried (and taken back) inside the admission's
    // transaction: a database that could not take the record stops the
    // call before a provider is paid, at no extra write lock.
    Transaction admission(*ctx.db);
    st = admission.status();
    if (st.ok()) st = ProbeRecordWrite(*ctx.db, rec);
    if (st.ok()) st = limiter.Admit(claim, NowUnixMs(), true, ReservationTtlMs(s), &reservation);
    if (st.ok()) st = admission.Commit();
  }
  // A window that reopens within LLM_RATE_LIMIT_WAIT_SECONDS is waited for.
  if (st.code() == StatusCode::kRateLimited && s.rate_limit_wait_seconds > 0)
    st = AdmitOrWait(limiter, claim, {s.rate_limit_wait_seconds, ReservationTtlMs(s), ctx.cancelled}, &reservation);
  spdlog::debug("stage admit_ms={:.3f}", MsSince(admit_start));
  if (!st.ok()) {
    if (st.code() == StatusCode::kRateLimited || st.code() == StatusCode::kBudget) return refuse(st);
    return st;
  }

  // The chain is the primary then the fallbacks; retries and fallback
  // policy (issue #4) decide how far down it a call goes.
  std::vector<ModelRef> chain = {spec.primary};
  chain.insert(chain.end(), spec.fallbacks.begin(), spec.fallbacks.end());
  ProviderFailure last_failure;
  bool answered = false;
  ChatResult result;
  ProviderConfig served_cfg;
  const auto deadline = call_start + std::chrono::milliseconds(static_cast<int64_t>(s.deadline_seconds * 1000));
  BreakerOptions breaker_options;
  breaker_options.threshold = s.breaker_threshold;
  breaker_options.cooldown_ms = static_cast<int64_t>(s.breaker_cooldown_seconds * 1000);
  breaker_options.probe_lease_ms = static_cast<int64_t>(s.timeout_seconds * 1000) + 1000;
  CircuitBreaker breaker(*ctx.db, breaker_options);
  const bool use_breaker = s.breaker_threshold > 0;
  std::vector<ProviderConfig> configs(chain.size());
  bool all_open = use_breaker;
  for (size_t i = 0; i < chain.size(); ++i) {
    st = ResolveProvider(chain[i].provider, s, *ctx.env, true, &configs[i]);
    if (!st.ok()) {
      limiter.Release(reservation);
      return st;
    }
    if (all_open && !breaker.IsOpen(EndpointKey(configs[i]), NowUnixMs())) all_open = false;
  }
  // With every provider open, skipping them all would fail without trying:
  // the breaker then steps aside.
  const bool skip_open = use_breaker && !all_open;
  std::mt19937_64 rng(std::random_device{}());
  const BackoffOptions backoff{s.retry_base_seconds, s.retry_max_seconds};
  size_t served_index = 0;
  int64_t received_bytes = 0;  // answer text streamed so far, for an interrupted call's bill
  bool billed_interrupt = false;
  int64_t failed_window = -1;  // window of a model that refused the prompt as too long
  bool stop = false;

  for (size_t i = 0; i < chain.size() && !answered && !stop; ++i) {
    const ModelRef& ref = chain[i];
    const ProviderConfig& cfg = configs[i];
    const std::string endpoint = EndpointKey(cfg);
    const int64_t window = prices.Find(ref.provider, ref.model).price.max_input_tokens;
    if (failed_window >= 0 && (window == 0 || window <= failed_window)) {
      rec.attempts.push_back({ref.provider, ref.model, 0, "skipped", 0});
      continue;
    }
    if (skip_open && !breaker.Allow(endpoint, NowUnixMs())) {
      spdlog::info("skipping {}: circuit breaker open after repeated failures", ref.provider);
      rec.attempts.push_back({ref.provider, ref.model, 0, "skipped", 0});
      continue;
    }
    ChatRequest request = spec.request;
    request.model = ref.model;
    rec.provider = ref.provider;
    rec.model = ref.model;
    rec.prompt_hash = PromptHash(CanonicalRequest(ref.provider, request), s.hash_key);
    auto provider = MakeProvider(cfg);

    for (int64_t retry = 0;; ++retry) {
      const double remaining_s = std::chrono::duration<double>(deadline - Clock::now()).count();
      if (remaining_s <= 0) {
        last_failure = ProviderFailure();
        last_failure.error_type = "timeout";
        last_failure.message = "timed out: the whole-call deadline of " + FormatSeconds(s.deadline_seconds) +
                               " s (LLM_DEADLINE_SECONDS) passed";
        stop = true;
        break;
      }
      AttemptOptions options;
      options.timeout_seconds = std::min(s.timeout_seconds, remaining_s);
      options.cancelled = ctx.cancelled;
      options.keep_streamed_text = ctx.keep_streamed_text || write_cache;
      options.on_text = [&](std::string_view piece) {
        out->text_emitted = true;
        received_bytes += static_cast<int64_t>(piece.size());
        if (ctx.on_text) ctx.on_text(piece);
      };
      const auto attempt_start = Clock::now();
      spdlog::debug("stage guardrails_ms={:.3f} attempt={} provider={}", MsSinceProcessStart(),
                    rec.attempts.size() + 1, ref.provider);
      result = ChatResult();
      ProviderFailure failure;
      answered = provider->Complete(request, options, &result, &failure);
      rec.attempts.push_back({ref.provider, ref.model, answered ? result.http_status : failure.http_status,
                              answered ? "" : failure.error_type, MsSince(attempt_start)});
      if (answered) {
        served_cfg = cfg;
        served_index = i;
        if (use_breaker) breaker.RecordSuccess(endpoint);
        if (result.ttft_ms)
          result.ttft_ms = *result.ttft_ms +
                           std::chrono::duration<double, std::milli>(attempt_start - call_start).count();
        break;
      }
      if (out->text_emitted) failure.output_started = true;
      if (failure.error_type == "timeout" && options.timeout_seconds < s.timeout_seconds)
        failure.message = "timed out: the whole-call deadline of " + FormatSeconds(s.deadline_seconds) +
                          " s (LLM_DEADLINE_SECONDS) passed during the attempt";
      last_failure = failure;
      const FailureAction action = ClassifyFailure(failure);
      if (action == FailureAction::kStop) {
        stop = true;
        break;
      }
      if (action == FailureAction::kNextProvider) {
        if (failure.error_type == "context_window") failed_window = std::max<int64_t>(window, 0);
        break;
      }
      if (use_breaker) {
        breaker.RecordFailure(endpoint, NowUnixMs());
        // The failure that opened the circuit (or a failed half-open probe)
        // ends this provider's turn: open means not contacted.
        if (skip_open && breaker.IsOpen(endpoint, NowUnixMs())) break;
      }
      if (retry >= s.max_retries) break;
      const int64_t wait_ms = BackoffMs(backoff, static_cast<int>(retry), failure, rng);
      const double left_ms = std::chrono::duration<double, std::milli>(deadline - Clock::now()).count();
      if (wait_ms >= left_ms) break;  // a hint past the deadline: move on at once
      spdlog::info("{} failed ({}); retrying in {} ms", ref.provider, failure.error_type, wait_ms);
      if (!SleepUnlessCancelled(wait_ms, ctx.cancelled)) {
        last_failure.error_type = "interrupted";
        stop = true;
        break;
      }
    }
  }
  rec.fallback_used = answered && served_index > 0;
  if (rec.fallback_used) NoteFallbackAnswer(rec.attempts);

  if (answered) {
    out->text = std::move(result.text);
    if (!result.usage.untrusted.empty()) {
      spdlog::warn("{} reported impossible token counts ({}); the pre-flight estimate is used for "
                   "limits and cost instead", rec.provider, result.usage.untrusted);
      result.usage = UsageFromEstimate(estimate, result.usage.untrusted);
    }
    rec.input_tokens = result.usage.input_tokens;
    rec.output_tokens = result.usage.output_tokens;
    rec.cached_input_tokens = result.usage.cached_input_tokens;
    rec.reasoning_tokens = result.usage.reasoning_tokens;
    rec.finish_reason = result.finish_reason;
    rec.provider_finish_reason = result.provider_finish_reason;
    rec.ttft_ms = result.ttft_ms;
    PriceLookup price = prices.Find(rec.provider, rec.model);
    if (price.source == "unknown")
      spdlog::warn("no price known for {}:{}; cost is recorded at the conservative "
                   "$15/$75 per million tokens (add it with LLMCTL_PRICING_FILE)",
                   rec.provider, rec.model);
    rec.price_source = price.source;
    rec.cost_nanos = CostNanos(price.price, result.usage, ReasoningInOutput(served_cfg.kind));
    bool cacheable_answer = rec.finish_reason == "stop" || rec.finish_reason == "tool_calls";
    if (!result.usage.untrusted.empty())
      rec.alert = "UNTRUSTED_USAGE " + result.usage.untrusted +
                  " discarded; tokens and cost are the pre-flight estimate";
    if (rec.finish_reason == "length") {
      rec.alert = (rec.alert ? *rec.alert + "; " : std::string()) + "TRUNCATED_RESPONSE max_tokens=" +
                  std::to_string(spec.request.max_tokens) + " reached; the answer is incomplete";
      if (!spec.allow_truncated) {
        rec.error = "response truncated at max_tokens=" + std::to_string(spec.request.max_tokens);
        rec.error_type = "truncated";
        out->status = Status::Truncated(
            "response truncated: the model hit max_tokens=" + std::to_string(spec.request.max_tokens) +
            " (provider finish reason " + rec.provider_finish_reason +
            "); raise --max-tokens, or pass --allow-truncated to accept partial answers");
      }
    } else if (rec.finish_reason == "content_filter") {
      rec.error = "the provider's content filter stopped the answer (" + rec.provider_finish_reason + ")";
      rec.error_type = "content_filter";
      out->status = Status::Provider(rec.provider + " refused to answer: content filter (" +
                                     rec.provider_finish_reason + ")");
    }
    if (write_cache && cacheable_answer) {
      CacheEntry entry;
      entry.key = cache_key;
      entry.key_input = key_input;
      entry.created_ms = NowUnixMs();
      entry.expires_ms = CacheExpiryMs(entry.created_ms, s.cache_ttl_seconds);
      entry.provider = rec.provider;
      entry.model = rec.model;
      entry.text = out->text;
      entry.finish_reason = rec.finish_reason;
      entry.provider_finish_reason = rec.provider_finish_reason;
      entry.usage = result.usage;
      entry.cost_nanos = rec.cost_nanos;
      entry.price_source = rec.price_source;
      Status cached = cache.Store(entry);
      if (!cached.ok()) spdlog::warn("{}", cached.message());
    }
  } else {
    rec.finish_reason = "error";
    if (last_failure.error_type == "interrupted")
      last_failure.message = "interrupted by a signal; the request was aborted";
    rec.error = last_failure.message.empty() ? last_failure.error_type : last_failure.message;
    rec.error_type = last_failure.error_type;
    if (!rec.attempts.empty() && rec.attempts.back().error_type == "interrupted") {
      const Usage billed = InterruptedUsage(estimate.input_tokens, received_bytes);
      rec.input_tokens = billed.input_tokens;
      rec.output_tokens = billed.output_tokens;
      const PriceLookup price = prices.Find(rec.provider, rec.model);
      rec.price_source = price.source;
      rec.cost_nanos = CostNanos(price.price, billed, true);
      billed_interrupt = true;
    }
    out->status = FailedCallStatus(StatusForFailure(rec.provider, last_failure), rec.attempts, configs);
  }
  return finish([&] {
    return answered || billed_interrupt
               ? limiter.Settle(reservation, rec.input_tokens + rec.output_tokens, rec.cost_nanos)
               : limiter.Release(reservation);
  });
}

}  // namespace llmctl
