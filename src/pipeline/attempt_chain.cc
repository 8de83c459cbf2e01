#include <algorithm>
#include <cstdio>
#include <random>

#include <spdlog/spdlog.h>

#include "guardrails/retry_policy.h"
#include "pipeline/call_stages.h"
#include "util/hash.h"
#include "util/process_clock.h"

namespace llmctl {
namespace {

// One breaker per endpoint: the same provider name may point at different
// servers in different configurations.
std::string EndpointKey(const ProviderConfig& cfg) { return cfg.name + " " + cfg.base_url; }

std::string FormatSeconds(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", seconds);
  return buf;
}

std::string DeadlinePassed(const Settings& s) {
  return "timed out: the whole-call deadline of " + FormatSeconds(s.deadline_seconds) +
         " s (LLM_DEADLINE_SECONDS) passed";
}

// The breaker is advice: when its state cannot be read or written, the
// call goes on as if the endpoint were healthy, and -vv says why.
class Breaker {
 public:
  explicit Breaker(StateStore& state) : state_(state) {}

  bool on() const { return state_.breaker_on(); }
  bool Allow(const std::string& endpoint, int64_t now_ms) {
    bool allowed = true;
    Note(state_.BreakerAllow(endpoint, now_ms, &allowed));
    return allowed;
  }
  bool IsOpen(const std::string& endpoint, int64_t now_ms) {
    bool open = false;
    Note(state_.BreakerIsOpen(endpoint, now_ms, &open));
    return open;
  }
  void RecordSuccess(const std::string& endpoint) { Note(state_.BreakerSuccess(endpoint)); }
  void RecordFailure(const std::string& endpoint, int64_t now_ms) {
    Note(state_.BreakerFailure(endpoint, now_ms));
  }

 private:
  static void Note(const Status& st) {
    if (!st.ok()) spdlog::debug("{}", st.message());
  }
  StateStore& state_;
};

}  // namespace

ChainOutcome RunAttemptChain(CallRun& run, const std::vector<Message>& followup) {
  const Settings& s = run.settings;
  const PipelineClock& clock = run.clock;
  const std::vector<ChainLink>& chain = run.plan.chain;
  CallRecord& rec = run.rec;
  ChainOutcome c;
  const auto deadline =
      run.start + std::chrono::milliseconds(static_cast<int64_t>(s.deadline_seconds * 1000));
  Breaker breaker(*run.state);
  const bool use_breaker = breaker.on();
  bool all_open = use_breaker;
  for (const ChainLink& link : chain)
    if (all_open && !breaker.IsOpen(EndpointKey(link.config), clock.NowUnixMs())) all_open = false;
  // With every provider open, skipping them all would fail without trying:
  // the breaker then steps aside.
  const bool skip_open = use_breaker && !all_open;
  std::mt19937_64 rng(RandomSeed());
  const BackoffOptions backoff{s.retry_base_seconds, s.retry_max_seconds};
  int64_t failed_window = -1;  // window of a model that refused the prompt as too long
  bool stop = false;

  for (size_t i = 0; i < chain.size() && !c.answered && !stop; ++i) {
    const ChainLink& link = chain[i];
    const ModelRef& ref = link.ref;
    const std::string endpoint = EndpointKey(link.config);
    const int64_t window = link.price.price.max_input_tokens;
    if (failed_window >= 0 && (window == 0 || window <= failed_window)) {
      rec.attempts.push_back(
          {ref.provider, ref.model, 0, std::string(ErrorTypeName(ErrorType::kSkipped)), 0});
      continue;
    }
    if (skip_open && !breaker.Allow(endpoint, clock.NowUnixMs())) {
      spdlog::info("skipping {}: circuit breaker open after repeated failures", ref.provider);
      rec.attempts.push_back(
          {ref.provider, ref.model, 0, std::string(ErrorTypeName(ErrorType::kSkipped)), 0});
      continue;
    }
    rec.provider = ref.provider;
    rec.model = ref.model;
    rec.prompt_hash = link.prompt_hash;
    c.served_index = i;
    auto provider = run.ctx.NewProvider(link.config);
    ChatRequest asked;
    if (!followup.empty()) {
      asked = link.request;
      asked.messages.insert(asked.messages.end(), followup.begin(), followup.end());
    }
    const ChatRequest& request = followup.empty() ? link.request : asked;

    for (int64_t retry = 0;; ++retry) {
      const double remaining_s = std::chrono::duration<double>(deadline - clock.Now()).count();
      if (remaining_s <= 0) {
        c.last_failure = ProviderFailure();
        c.last_failure.error_type = ErrorType::kTimeout;
        c.last_failure.message = DeadlinePassed(s);
        stop = true;
        break;
      }
      AttemptOptions options;
      options.timeout_seconds = std::min(s.timeout_seconds, remaining_s);
      options.cancelled = run.ctx.cancelled;
      // Checked answers and a canary search need the whole text.
      options.keep_streamed_text = run.ctx.keep_streamed_text || run.plan.write_cache ||
                                   run.plan.hold_back || run.plan.guard.canary.has_value();
      options.on_text = [&](std::string_view piece) {
        c.received_bytes += static_cast<int64_t>(piece.size());
        if (run.plan.hold_back) return;
        run.out.text_emitted = true;
        if (run.ctx.on_text) run.ctx.on_text(piece);
      };
      const auto attempt_start = clock.Now();
      spdlog::debug("stage guardrails_ms={:.3f} attempt={} provider={}", MsSinceProcessStart(),
                    rec.attempts.size() + 1, ref.provider);
      c.result = ChatResult();
      ProviderFailure failure;
      c.answered = provider->Complete(request, options, &c.result, &failure);
      rec.attempts.push_back({ref.provider, ref.model,
                              c.answered ? c.result.http_status : failure.http_status,
                              std::string(c.answered ? "" : ErrorTypeName(failure.error_type)),
                              run.MsSince(attempt_start)});
      if (c.answered) {
        if (use_breaker) breaker.RecordSuccess(endpoint);
        // Time to first text counts from the start of the call, not of the
        // attempt that answered.
        if (c.result.ttft_ms)
          c.result.ttft_ms =
              *c.result.ttft_ms +
              std::chrono::duration<double, std::milli>(attempt_start - run.start).count();
        break;
      }
      if (run.out.text_emitted) failure.output_started = true;
      if (failure.error_type == ErrorType::kTimeout && options.timeout_seconds < s.timeout_seconds)
        failure.message = DeadlinePassed(s) + " during the attempt";
      c.last_failure = failure;
      const FailureAction action = ClassifyFailure(failure);
      if (action == FailureAction::kStop) {
        stop = true;
        break;
      }
      if (action == FailureAction::kNextProvider) {
        if (failure.error_type == ErrorType::kContextWindow)
          failed_window = std::max<int64_t>(window, 0);
        break;
      }
      if (use_breaker) {
        breaker.RecordFailure(endpoint, clock.NowUnixMs());
        // The failure that opened the circuit (or a failed half-open probe)
        // ends this provider's turn: open means not contacted.
        if (skip_open && breaker.IsOpen(endpoint, clock.NowUnixMs())) break;
      }
      if (retry >= s.max_retries) break;
      const int64_t wait_ms = BackoffMs(backoff, static_cast<int>(retry), failure, rng);
      const double left_ms =
          std::chrono::duration<double, std::milli>(deadline - clock.Now()).count();
      if (wait_ms >= left_ms) break;  // a hint past the deadline: move on at once
      spdlog::info("{} failed ({}); retrying in {} ms", ref.provider,
                   ErrorTypeName(failure.error_type), wait_ms);
      if (!clock.Sleep(wait_ms, run.ctx.cancelled)) {
        c.last_failure.error_type = ErrorType::kInterrupted;
        stop = true;
        break;
      }
    }
  }
  return c;
}

}  // namespace llmctl
