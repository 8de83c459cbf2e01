#include "providers/error_type.h"

#include <doctest/doctest.h>

namespace llmctl {

TEST_CASE("error types: every name reads back as its value, unknown names as none") {
  for (ErrorType t :
       {ErrorType::kNone, ErrorType::kNetwork, ErrorType::kTimeout, ErrorType::kInterrupted,
        ErrorType::kAuth, ErrorType::kRateLimited, ErrorType::kProviderError,
        ErrorType::kInvalidRequest, ErrorType::kContentFilter, ErrorType::kContextWindow,
        ErrorType::kBudgetExceeded, ErrorType::kGuardRefused, ErrorType::kTruncated,
        ErrorType::kSkipped}) {
    CHECK(ParseErrorType(ErrorTypeName(t)) == t);
    CHECK((t == ErrorType::kNone) == ErrorTypeName(t).empty());
  }
  CHECK(ErrorTypeName(ErrorType::kRateLimited) == "rate_limited");
  CHECK_FALSE(ParseErrorType("quota_melted").has_value());
}

}  // namespace llmctl
