#include "util/json_text.h"

#include <doctest/doctest.h>

#include <random>

#include <nlohmann/json.hpp>

using namespace llmctl;

TEST_CASE("json strings are escaped exactly as nlohmann's dump escapes them") {
  std::mt19937 rng(42);
  const std::string alphabet = std::string("ab \"\\/\x01\x1f\x7f\b\f\n\r\t") + "é€😀";
  for (int round = 0; round < 2000; ++round) {
    std::string s;
    const int n = static_cast<int>(rng() % 24);
    for (int i = 0; i < n; ++i) {
      // Whole characters only: the alphabet's multi-byte ones stay intact.
      const size_t pick = rng() % 16;
      if (pick < 13) s += alphabet[pick];
      else if (pick == 13) s += "é";
      else if (pick == 14) s += "€";
      else s += "😀";
    }
    std::string ours;
    AppendJsonString(s, &ours);
    CHECK_MESSAGE(ours == nlohmann::json(s).dump(), s);
  }
}

TEST_CASE("invalid UTF-8 becomes U+FFFD and the text stays valid JSON") {
  std::string out;
  AppendJsonString(
      "a\xff"
      "b\xc3",
      &out);
  CHECK(out ==
        "\"a\xEF\xBF\xBD"
        "b\xEF\xBF\xBD\"");
  CHECK(nlohmann::json::accept(out));
  std::string key;
  AppendJsonKey("k\"", &key);
  CHECK(key == "\"k\\\"\":");
}
