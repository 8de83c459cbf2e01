#include "providers/finish_reason.h"

#include <doctest/doctest.h>

using namespace llmctl;

TEST_CASE("finish reasons: names round-trip; unknown names are not guessed") {
  for (FinishReason r : {FinishReason::kStop, FinishReason::kLength, FinishReason::kContentFilter,
                         FinishReason::kToolCalls, FinishReason::kError})
    CHECK(ParseFinishReason(FinishReasonName(r)) == r);
  CHECK(FinishReasonName(FinishReason::kContentFilter) == "content_filter");
  CHECK_FALSE(ParseFinishReason("eos").has_value());
  CHECK_FALSE(ParseFinishReason("").has_value());
}

TEST_CASE("finish reasons: a provider's unknown value is stop with text, error without") {
  const FinishTable table = {{"done", FinishReason::kStop}, {"cut", FinishReason::kLength}};
  CHECK(NormaliseFinishReason("cut", true, table) == FinishReason::kLength);
  CHECK(NormaliseFinishReason("OTHER", true, table) == FinishReason::kStop);
  CHECK(NormaliseFinishReason("OTHER", false, table) == FinishReason::kError);
  CHECK(NormaliseFinishReason("abort", true, table) == FinishReason::kError);
  CHECK(IsWholeAnswer(FinishReason::kToolCalls));
  CHECK_FALSE(IsWholeAnswer(FinishReason::kLength));
  CHECK_FALSE(IsWholeAnswer(FinishReason::kContentFilter));
}
