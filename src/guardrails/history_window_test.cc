#include "guardrails/history_window.h"

#include <doctest/doctest.h>

#include <string>

#include "guardrails/preflight.h"
#include "guardrails/token_estimate.h"

using namespace llmctl;

namespace {

// A conversation of `pairs` user/assistant pairs and a new user turn; every
// text is "turn N" so counts are small and exact on gpt-4o.
ChatRequest Conversation(int pairs) {
  ChatRequest r;
  r.model = "gpt-4o";
  r.system = "You are terse.";
  r.max_tokens = 10;
  for (int i = 0; i < pairs; ++i) {
    r.messages.push_back({"user", "question " + std::to_string(i)});
    r.messages.push_back({"assistant", "answer " + std::to_string(i)});
  }
  r.messages.push_back({"user", "the newest question"});
  return r;
}

}  // namespace

TEST_CASE("a request that fits keeps its whole history") {
  ChatRequest r = Conversation(3);
  CHECK(FitToWindow(&r, 6, {.context_window = 100000}) == 0);
  CHECK(r.messages.size() == 7);
  CHECK(FitToWindow(&r, 6, {}) == 0);  // no window known, none set: nothing to fit
}

TEST_CASE("the oldest pairs go first, the system message and the newest turn stay") {
  ChatRequest full = Conversation(5);
  ChatRequest shorter = full;
  shorter.messages.erase(shorter.messages.begin(), shorter.messages.begin() + 4);  // 3 pairs left
  // A budget that holds exactly three pairs and the newest turn.
  const int64_t budget = EstimateInputTokens(shorter) + shorter.max_tokens;
  ChatRequest r = full;
  CHECK(FitToWindow(&r, 10, {.context_window = budget}) == 4);
  CHECK(r.system == "You are terse.");
  REQUIRE(r.messages.size() == 7);
  CHECK(r.messages.front().content == "question 2");
  CHECK(r.messages.back().content == "the newest question");
  // One token less and the next pair goes too.
  r = full;
  CHECK(FitToWindow(&r, 10, {.context_window = budget - 1}) == 6);
  CHECK(r.messages.front().content == "question 3");
}

TEST_CASE("whatever the window keeps passes the pre-flight context check") {
  for (int64_t window = 40; window < 200; window += 7) {
    ChatRequest r = Conversation(8);
    FitToWindow(&r, 16, {.context_window = window});
    if (r.messages.size() == 1) continue;  // the newest turn alone: the pre-flight decides
    ModelPrice price;
    price.max_input_tokens = window;
    PreflightEstimate est;
    CHECK(CheckPreflight(r, price, 0, &est).ok());
  }
}

TEST_CASE("LLM_HISTORY_MAX_TOKENS is the budget when it is the smaller") {
  ChatRequest r = Conversation(4);
  ChatRequest alone = r;
  alone.messages = {alone.messages.back()};
  const int64_t just_newest = EstimateInputTokens(alone) + r.max_tokens;
  CHECK(FitToWindow(&r, 8, {.context_window = 100000, .history_max_tokens = just_newest}) == 8);
  CHECK(r.messages.size() == 1);
  r = Conversation(4);
  CHECK(FitToWindow(&r, 8, {.context_window = just_newest, .history_max_tokens = 100000}) == 8);
}

TEST_CASE("a newest turn too large even alone loses all history and is left for the pre-flight") {
  ChatRequest r = Conversation(2);
  r.messages.back().content = std::string(4000, 'x') + " and more words to count";
  CHECK(FitToWindow(&r, 4, {.context_window = 50}) == 4);
  REQUIRE(r.messages.size() == 1);
  ModelPrice price;
  price.max_input_tokens = 50;
  PreflightEstimate est;
  CHECK(CheckPreflight(r, price, 0, &est).code() == StatusCode::kContextWindow);
}

TEST_CASE("a history that does not start with a pair drops one message at a time") {
  ChatRequest r;
  r.model = "gpt-4o";
  r.max_tokens = 1;
  r.messages = {{"assistant", "a lone answer with several words in it"},
                {"user", "q1"},
                {"assistant", "a1"},
                {"user", "now"}};
  ChatRequest rest = r;
  rest.messages.erase(rest.messages.begin());
  CHECK(FitToWindow(&r, 3, {.context_window = EstimateInputTokens(rest) + 1}) == 1);
  CHECK(r.messages.front().content == "q1");
}

TEST_CASE("the newest turn starts at the last user message") {
  ChatRequest r = Conversation(2);
  CHECK(NewestTurnStart(r) == 4);
  r.messages.push_back({"assistant", "prefill"});
  CHECK(NewestTurnStart(r) == 4);
  r.messages = {{"assistant", "only"}};
  CHECK(NewestTurnStart(r) == 0);
}

TEST_CASE("the parts add up to the estimate") {
  ChatRequest r = Conversation(3);
  const RequestTokenParts parts = CountRequestParts(r);
  int64_t raw = parts.fixed;
  for (int64_t m : parts.messages) raw += m;
  CHECK(WithMargin(raw) == EstimateInputTokens(r));
  CHECK(parts.messages.size() == r.messages.size());
}
