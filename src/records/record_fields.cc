#include "records/record_fields.h"

#include <array>

namespace llmctl {
namespace {

using R = CallRecord;

std::vector<RecordField> MakeFields() {
  using K = FieldKind;
  return {
      {.name = "timestamp", .kind = K::kTimestamp, .column = "ts_ms", .integer = &R::timestamp_ms},
      {.name = "request_id", .kind = K::kText, .column = "request_id", .text = &R::request_id},
      {.name = "user_id", .kind = K::kText, .column = "user_id", .text = &R::user_id},
      {.name = "provider", .kind = K::kText, .column = "provider", .text = &R::provider},
      {.name = "model", .kind = K::kText, .column = "model", .text = &R::model},
      {.name = "input_tokens",
       .kind = K::kCount,
       .column = "input_tokens",
       .integer = &R::input_tokens},
      {.name = "output_tokens",
       .kind = K::kCount,
       .column = "output_tokens",
       .integer = &R::output_tokens},
      {.name = "cached_input_tokens",
       .kind = K::kCount,
       .column = "cached_input_tokens",
       .integer = &R::cached_input_tokens},
      {.name = "reasoning_tokens",
       .kind = K::kCount,
       .column = "reasoning_tokens",
       .integer = &R::reasoning_tokens},
      {.name = "cost_usd", .kind = K::kUsd, .column = "cost_nanos", .integer = &R::cost_nanos},
      {.name = "saved_cost_usd",
       .kind = K::kUsd,
       .column = "saved_cost_nanos",
       .omit = Omit::kUnlessCacheHit,
       .integer = &R::saved_cost_nanos},
      {.name = "price_source",
       .kind = K::kText,
       .column = "price_source",
       .text = &R::price_source},
      {.name = "latency_ms", .kind = K::kMs, .column = "latency_ms", .real = &R::latency_ms},
      {.name = "ttft_ms",
       .kind = K::kOptionalMs,
       .column = "ttft_ms",
       .optional_real = &R::ttft_ms},
      {.name = "finish_reason",
       .kind = K::kText,
       .column = "finish_reason",
       .text = &R::finish_reason},
      {.name = "provider_finish_reason",
       .kind = K::kText,
       .scrub = true,
       .text = &R::provider_finish_reason},
      {.name = "cache_hit", .kind = K::kFlag, .column = "cache_hit", .flag = &R::cache_hit},
      {.name = "fallback_used", .kind = K::kFlag, .flag = &R::fallback_used},
      {.name = "error", .kind = K::kOptionalText, .scrub = true, .optional_text = &R::error},
      {.name = "error_type",
       .kind = K::kOptionalText,
       .column = "error_type",
       .optional_text = &R::error_type},
      {.name = "prompt_hash", .kind = K::kText, .text = &R::prompt_hash},
      {.name = "alert",
       .kind = K::kOptionalText,
       .omit = Omit::kWhenEmpty,
       .scrub = true,
       .optional_text = &R::alert},
      {.name = "run_id",
       .kind = K::kText,
       .column = "run_id",
       .omit = Omit::kWhenEmpty,
       .text = &R::run_id},
      {.name = "case_id",
       .kind = K::kText,
       .column = "case_id",
       .omit = Omit::kWhenEmpty,
       .text = &R::case_id},
      {.name = "state_backend", .kind = K::kText, .text = &R::state_backend},
      {.name = "conversation", .kind = K::kOptionalText, .optional_text = &R::conversation},
      {.name = "history_dropped", .kind = K::kCount, .integer = &R::history_dropped},
      {.name = "replay_of", .kind = K::kOptionalText, .optional_text = &R::replay_of},
      {.name = "llmctl_version", .kind = K::kText, .text = &R::llmctl_version},
  };
}

}  // namespace

const std::vector<RecordField>& RecordFields() {
  static const std::vector<RecordField> fields = MakeFields();
  return fields;
}

namespace {

size_t Bucket(std::string_view name) {
  return (name.size() * 7 + static_cast<unsigned char>(name.front()) +
          static_cast<unsigned char>(name.back()) * 3) %
         256;
}

}  // namespace

const RecordField* FindRecordField(std::string_view name) {
  // Looked up for every key of every JSONL line a report reads, where a
  // general-purpose hash of the whole key cost a tenth of the parse: the
  // length and the first and last characters leave one comparison.
  using Buckets = std::array<std::vector<std::pair<std::string_view, const RecordField*>>, 256>;
  static const Buckets buckets = [] {
    Buckets b;
    for (const RecordField& f : RecordFields()) b[Bucket(f.name)].emplace_back(f.name, &f);
    return b;
  }();
  if (name.empty()) return nullptr;
  for (const auto& [field_name, field] : buckets[Bucket(name)])
    if (name == field_name) return field;
  return nullptr;
}

bool IsOmitted(const RecordField& f, const CallRecord& r) {
  switch (f.omit) {
    case Omit::kNever: return false;
    case Omit::kUnlessCacheHit: return !r.cache_hit;
    case Omit::kWhenEmpty:
      if (f.kind == FieldKind::kText) return (r.*f.text).empty();
      if (f.kind == FieldKind::kOptionalText) return !(r.*f.optional_text).has_value();
      if (f.kind == FieldKind::kOptionalMs) return !(r.*f.optional_real).has_value();
      return false;
  }
  return false;
}

}  // namespace llmctl
