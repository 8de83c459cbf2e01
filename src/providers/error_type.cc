#include "providers/error_type.h"

#include <array>
#include <utility>

namespace llmctl {
namespace {

constexpr std::array<std::pair<ErrorType, std::string_view>, 14> kNames{{
    {ErrorType::kNone, ""},
    {ErrorType::kNetwork, "network"},
    {ErrorType::kTimeout, "timeout"},
    {ErrorType::kInterrupted, "interrupted"},
    {ErrorType::kAuth, "auth"},
    {ErrorType::kRateLimited, "rate_limited"},
    {ErrorType::kProviderError, "provider_error"},
    {ErrorType::kInvalidRequest, "invalid_request"},
    {ErrorType::kContentFilter, "content_filter"},
    {ErrorType::kContextWindow, "context_window"},
    {ErrorType::kBudgetExceeded, "budget_exceeded"},
    {ErrorType::kGuardRefused, "guard_refused"},
    {ErrorType::kTruncated, "truncated"},
    {ErrorType::kSkipped, "skipped"},
}};

}  // namespace

std::string_view ErrorTypeName(ErrorType t) {
  for (const auto& [type, name] : kNames)
    if (type == t) return name;
  return "";
}

std::optional<ErrorType> ParseErrorType(std::string_view name) {
  for (const auto& [type, known] : kNames)
    if (known == name) return type;
  return std::nullopt;
}

}  // namespace llmctl
