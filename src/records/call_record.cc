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

namespace {

template <typename T>
bool Get(const nlohmann::json& j, const char* key, T* out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return false;
  *out = it->get<T>();
  return true;
}

}  // namespace

Status CallRecordFromJson(const nlohmann::json& j, CallRecord* r) {
  if (!j.is_object()) return Status::Usage("not a JSON object");
  try {
    std::string ts;
    if (!Get(j, "timestamp", &ts)) return Status::Usage("missing \"timestamp\"");
    auto ms = ParseIsoUtc(ts);
    if (!ms) return Status::Usage("bad \"timestamp\": " + ts);
    r->timestamp_ms = *ms;
    Get(j, "request_id", &r->request_id);
    Get(j, "user_id", &r->user_id);
    Get(j, "provider", &r->provider);
    Get(j, "model", &r->model);
    Get(j, "input_tokens", &r->input_tokens);
    Get(j, "output_tokens", &r->output_tokens);
    Get(j, "cached_input_tokens", &r->cached_input_tokens);
    Get(j, "reasoning_tokens", &r->reasoning_tokens);
    double usd = 0;
    if (Get(j, "cost_usd", &usd)) r->cost_nanos = UsdToNanos(usd);
    if (Get(j, "saved_cost_usd", &usd)) r->saved_cost_nanos = UsdToNanos(usd);
    Get(j, "price_source", &r->price_source);
    Get(j, "latency_ms", &r->latency_ms);
    double ttft = 0;
    if (Get(j, "ttft_ms", &ttft)) r->ttft_ms = ttft;
    Get(j, "finish_reason", &r->finish_reason);
    Get(j, "provider_finish_reason", &r->provider_finish_reason);
    Get(j, "cache_hit", &r->cache_hit);
    Get(j, "fallback_used", &r->fallback_used);
    std::string s;
    if (Get(j, "error", &s)) r->error = s;
    if (Get(j, "error_type", &s)) r->error_type = s;
    Get(j, "prompt_hash", &r->prompt_hash);
    if (Get(j, "alert", &s)) r->alert = s;
    Get(j, "run_id", &r->run_id);
    Get(j, "case_id", &r->case_id);
    Get(j, "llmctl_version", &r->llmctl_version);
    if (auto it = j.find("tags"); it != j.end() && it->is_object())
      for (const auto& [key, value] : it->items())
        if (value.is_string()) r->tags.emplace_back(key, value.get<std::string>());
    Get(j, "state_backend", &r->state_backend);
    if (Get(j, "conversation", &s)) r->conversation = s;
    Get(j, "history_dropped", &r->history_dropped);
    if (Get(j, "replay_of", &s)) r->replay_of = s;
    if (auto it = j.find("guard_findings"); it != j.end() && it->is_array()) {
      for (const auto& f : *it) {
        GuardFinding finding;
        Get(f, "stage", &finding.stage);
        Get(f, "rule", &finding.rule);
        Get(f, "detail", &finding.detail);
        r->guard_findings.push_back(finding);
      }
    }
    if (auto it = j.find("attempts"); it != j.end() && it->is_array()) {
      for (const auto& a : *it) {
        Attempt at;
        Get(a, "provider", &at.provider);
        Get(a, "model", &at.model);
        Get(a, "status", &at.status);
        Get(a, "error_type", &at.error_type);
        Get(a, "latency_ms", &at.latency_ms);
        r->attempts.push_back(at);
      }
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::Usage(std::string("wrong type in record: ") + e.what());
  }
  return Status::Ok();
}

}  // namespace llmctl
