#include "providers/finish_reason.h"

namespace llmctl {
namespace {

constexpr std::pair<FinishReason, std::string_view> kNames[] = {
    {FinishReason::kStop, "stop"},
    {FinishReason::kLength, "length"},
    {FinishReason::kContentFilter, "content_filter"},
    {FinishReason::kToolCalls, "tool_calls"},
    {FinishReason::kError, "error"},
};

}  // namespace

std::string_view FinishReasonName(FinishReason r) {
  for (const auto& [value, name] : kNames)
    if (value == r) return name;
  return "error";
}

std::optional<FinishReason> ParseFinishReason(std::string_view name) {
  for (const auto& [value, known] : kNames)
    if (known == name) return value;
  return std::nullopt;
}

bool IsWholeAnswer(FinishReason r) {
  return r == FinishReason::kStop || r == FinishReason::kToolCalls;
}

FinishReason NormaliseFinishReason(std::string_view raw, bool has_text, FinishTable table) {
  for (const auto& [from, to] : table)
    if (raw == from) return to;
  if (raw == "error" || raw == "abort") return FinishReason::kError;
  return has_text ? FinishReason::kStop : FinishReason::kError;
}

}  // namespace llmctl
