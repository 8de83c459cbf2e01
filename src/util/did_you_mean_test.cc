#include "util/did_you_mean.h"

#include <doctest/doctest.h>

namespace llmctl {

TEST_CASE("did you mean: close names are suggested, distant ones are not") {
  const std::vector<std::string> names = {"LLM_MAX_TOKENS", "LLM_TEMPERATURE", "LLM_CACHE"};
  CHECK(ClosestMatch("LLM_MAX_TOKEN", names) == "LLM_MAX_TOKENS");
  CHECK(ClosestMatch("llm_temprature", names) == "LLM_TEMPERATURE");
  CHECK(ClosestMatch("LLM_NOTHING_LIKE_IT", names).empty());
  CHECK(DidYouMean("LLM_CACHEE", names) == "; did you mean LLM_CACHE?");
  CHECK(DidYouMean("zzz", names).empty());
}

}  // namespace llmctl
