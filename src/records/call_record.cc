#include "records/call_record.h"

#include <cmath>

#include "records/money.h"
#include "util/secret_scrubber.h"
#include "util/time_format.h"

namespace llmctl {

int64_t UsdToNanos(double usd) { return UsdToNanosSaturating(usd); }
double NanosToUsd(int64_t nanos) { return static_cast<double>(nanos) / 1e9; }
bool TokensInDomain(int64_t tokens) { return tokens >= 0 && tokens <= kMaxRecordTokens; }
bool CostInDomain(int64_t nanos) { return nanos >= 0 && nanos <= kMaxRecordCostNanos; }

// Free-text fields can carry what a provider echoed back; secrets are masked
// here because every copy of a record that is stored or printed is made from
// this JSON.
nlohmann::json CallRecord::ToJson() const {
  nlohmann::json j = nlohmann::json::object();
  j["timestamp"] = FormatIsoUtcMs(timestamp_ms);
  j["request_id"] = request_id;
  j["user_id"] = user_id;
  j["provider"] = provider;
  j["model"] = model;
  j["input_tokens"] = input_tokens;
  j["output_tokens"] = output_tokens;
  j["cached_input_tokens"] = cached_input_tokens;
  j["reasoning_tokens"] = reasoning_tokens;
  j["cost_usd"] = NanosToUsd(cost_nanos);
  if (cache_hit) j["saved_cost_usd"] = NanosToUsd(saved_cost_nanos);
  j["price_source"] = price_source;
  j["latency_ms"] = std::round(latency_ms * 1000) / 1000;
  j["ttft_ms"] = ttft_ms ? nlohmann::json(std::round(*ttft_ms * 1000) / 1000) : nlohmann::json();
  j["finish_reason"] = finish_reason;
  j["provider_finish_reason"] = ScrubSecrets(provider_finish_reason);
  j["cache_hit"] = cache_hit;
  nlohmann::json attempts_json = nlohmann::json::array();
  for (const Attempt& a : attempts) {
    attempts_json.push_back({{"provider", a.provider},
                             {"model", a.model},
                             {"status", a.status},
                             {"error_type", a.error_type.empty() ? nlohmann::json()
                                                                 : nlohmann::json(a.error_type)},
                             {"latency_ms", std::round(a.latency_ms * 1000) / 1000}});
  }
  j["attempts"] = attempts_json;
  j["fallback_used"] = fallback_used;
  j["error"] = error ? nlohmann::json(ScrubSecrets(*error)) : nlohmann::json();
  j["error_type"] = error_type ? nlohmann::json(*error_type) : nlohmann::json();
  j["prompt_hash"] = prompt_hash;
  if (alert) j["alert"] = ScrubSecrets(*alert);
  if (!run_id.empty()) j["run_id"] = run_id;
  if (!case_id.empty()) j["case_id"] = case_id;
  nlohmann::json tags_json = nlohmann::json::object();
  for (const auto& [key, value] : tags) tags_json[key] = value;
  j["tags"] = tags_json;
  j["state_backend"] = state_backend;
  nlohmann::json findings_json = nlohmann::json::array();
  for (const GuardFinding& f : guard_findings)
    findings_json.push_back({{"stage", f.stage}, {"rule", f.rule}, {"detail", ScrubSecrets(f.detail)}});
  j["guard_findings"] = findings_json;
  j["conversation"] = conversation ? nlohmann::json(*conversation) : nlohmann::json();
  j["history_dropped"] = history_dropped;
  j["replay_of"] = replay_of ? nlohmann::json(*replay_of) : nlohmann::json();
  j["llmctl_version"] = llmctl_version;
  return j;
}

std::string CallRecord::ToJsonLine() const {
  return ToJson().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace llmctl
