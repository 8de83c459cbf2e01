#include "records/call_record.h"

#include <cmath>

#include "records/money.h"
#include "records/record_fields.h"
#include "util/secret_scrubber.h"
#include "util/time_format.h"

namespace llmctl {

int64_t UsdToNanos(double usd) { return UsdToNanosSaturating(usd); }
double NanosToUsd(int64_t nanos) { return static_cast<double>(nanos) / 1e9; }
bool TokensInDomain(int64_t tokens) { return tokens >= 0 && tokens <= kMaxRecordTokens; }
bool CostInDomain(int64_t nanos) { return nanos >= 0 && nanos <= kMaxRecordCostNanos; }

namespace {

double RoundToMicros(double ms) { return std::round(ms * 1000) / 1000; }

nlohmann::json FieldJson(const RecordField& f, const CallRecord& r) {
  switch (f.kind) {
    case FieldKind::kTimestamp: return FormatIsoUtcMs(r.*f.integer);
    case FieldKind::kText: return f.scrub ? ScrubSecrets(r.*f.text) : r.*f.text;
    case FieldKind::kOptionalText: {
      const auto& v = r.*f.optional_text;
      if (!v) return nullptr;
      return f.scrub ? ScrubSecrets(*v) : *v;
    }
    case FieldKind::kCount: return r.*f.integer;
    case FieldKind::kUsd: return NanosToUsd(r.*f.integer);
    case FieldKind::kMs: return RoundToMicros(r.*f.real);
    case FieldKind::kOptionalMs: {
      const auto& v = r.*f.optional_real;
      return v ? nlohmann::json(RoundToMicros(*v)) : nlohmann::json();
    }
    case FieldKind::kFlag: return r.*f.flag;
  }
  return nullptr;
}

}  // namespace

// Free-text fields can carry what a provider echoed back; secrets are masked
// here because every copy of a record that is stored or printed is made from
// this JSON.
nlohmann::json CallRecord::ToJson() const {
  nlohmann::json j = nlohmann::json::object();
  for (const RecordField& f : RecordFields())
    if (!IsOmitted(f, *this)) j[f.name] = FieldJson(f, *this);
  nlohmann::json attempts_json = nlohmann::json::array();
  for (const Attempt& a : attempts) {
    attempts_json.push_back(
        {{"provider", a.provider},
         {"model", a.model},
         {"status", a.status},
         {"error_type", a.error_type.empty() ? nlohmann::json() : nlohmann::json(a.error_type)},
         {"latency_ms", RoundToMicros(a.latency_ms)}});
  }
  j["attempts"] = attempts_json;
  nlohmann::json tags_json = nlohmann::json::object();
  for (const auto& [key, value] : tags) tags_json[key] = value;
  j["tags"] = tags_json;
  nlohmann::json findings_json = nlohmann::json::array();
  for (const GuardFinding& f : guard_findings)
    findings_json.push_back(
        {{"stage", f.stage}, {"rule", f.rule}, {"detail", ScrubSecrets(f.detail)}});
  j["guard_findings"] = findings_json;
  return j;
}

std::string CallRecord::ToJsonLine() const {
  return ToJson().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace llmctl
