#include "guardrails/model_encoding.h"

#include <doctest/doctest.h>

using namespace llmctl;

TEST_CASE("OpenAI models map to tiktoken's encodings, others to none") {
  CHECK(EncodingForModel("gpt-4o") == Encoding::kO200kBase);
  CHECK(EncodingForModel("gpt-4o-mini") == Encoding::kO200kBase);  // gpt-4o- wins over gpt-4-
  CHECK(EncodingForModel("gpt-4o-2024-08-06") == Encoding::kO200kBase);
  CHECK(EncodingForModel("gpt-4.1-nano") == Encoding::kO200kBase);
  CHECK(EncodingForModel("gpt-5.1") == Encoding::kO200kBase);
  CHECK(EncodingForModel("o3-mini") == Encoding::kO200kBase);
  CHECK(EncodingForModel("openai/gpt-4o") == Encoding::kO200kBase);
  CHECK(EncodingForModel("gpt-4") == Encoding::kCl100kBase);
  CHECK(EncodingForModel("gpt-4-turbo") == Encoding::kCl100kBase);
  CHECK(EncodingForModel("gpt-3.5-turbo-0125") == Encoding::kCl100kBase);
  CHECK(EncodingForModel("ft:gpt-4o-mini:org::id") == Encoding::kO200kBase);
  CHECK_FALSE(EncodingForModel("claude-sonnet-4-5"));
  CHECK_FALSE(EncodingForModel("gemini-2.5-pro"));
  CHECK_FALSE(EncodingForModel("mock"));
  CHECK_FALSE(EncodingForModel("o1x"));
}
