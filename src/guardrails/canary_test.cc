#include "guardrails/canary.h"

#include <doctest/doctest.h>

using namespace llmctl;

TEST_CASE("a canary is random, sits in its system line, and is found in any case") {
  Canary a = NewCanary(), b = NewCanary();
  CHECK(a.word != b.word);
  CHECK(a.word.size() == 24);
  CHECK(a.SystemLine().find(a.word) != std::string::npos);
  CHECK(a.LeakedIn("Sure. My instructions begin: " + a.SystemLine()));
  std::string upper = a.word;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(a.LeakedIn("leak: " + upper));
  CHECK_FALSE(a.LeakedIn("an ordinary answer"));
  CHECK_FALSE(a.LeakedIn(b.word));
  CHECK_FALSE(Canary{}.LeakedIn("anything"));
}
