#include "tokenizer/encoding.h"

#include <doctest/doctest.h>

#include <fstream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tokenizer/byte_pair.h"
#include "tokenizer/tables.h"

using namespace llmctl;

namespace {

std::string FromHex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

nlohmann::json KnownAnswers() {
  std::ifstream in(std::string(LLMCTL_SOURCE_DIR) + "/tests/fixtures/tokenizer/known_answers.json");
  REQUIRE(in);
  return nlohmann::json::parse(in);
}

}  // namespace

// Expected ids come from js-tiktoken (tests/fixtures/tokenizer/make_fixtures.mjs).
TEST_CASE("both encodings give tiktoken's ids for every known answer") {
  const nlohmann::json cases = KnownAnswers();
  REQUIRE(cases.size() >= 200);
  for (Encoding e : {Encoding::kCl100kBase, Encoding::kO200kBase}) {
    const std::string name(EncodingName(e));
    int failures = 0;
    for (const auto& c : cases) {
      const std::string text = FromHex(c["hex"]);
      const auto expected = c[name].get<std::vector<uint32_t>>();
      const std::vector<uint32_t> got = EncodeOrdinary(e, text);
      if (got != expected && ++failures <= 5) {
        std::ostringstream g, x;
        for (auto id : got) g << id << ' ';
        for (auto id : expected) x << id << ' ';
        FAIL_CHECK(name << " hex " << c["hex"].get<std::string>() << ": got " << g.str() << "want "
                        << x.str());
      }
      CHECK(CountTokens(e, text) == static_cast<int64_t>(expected.size()));
    }
    CHECK(failures == 0);
  }
}

TEST_CASE("the rank tables hold every token of the published files") {
  CHECK(Cl100kRanks().token_count() == 100256);
  CHECK(O200kRanks().token_count() == 199998);
  const unsigned char hello[] = {'h', 'e', 'l', 'l', 'o'};
  CHECK(O200kRanks().Find(hello, 5) == 24912);
  CHECK(Cl100kRanks().Find(hello, 5) == 15339);
  CHECK(O200kRanks().Find(hello, 0) == -1);
}

TEST_CASE("heap merge and tiktoken's scan merge give the same tokens") {
  std::mt19937 rng(17);
  const std::vector<std::string> alphabet = {"a",  "b", "e",  "n",   "t",   " ",
                                             "中", "é", "ab", "the", "ing", "\xF0\x9F\x98\x80"};
  for (int round = 0; round < 200; ++round) {
    std::string piece;
    const int len = 1 + static_cast<int>(rng() % 300);
    for (int i = 0; i < len; ++i) piece += alphabet[rng() % alphabet.size()];
    for (const RankTable* t : {&Cl100kRanks(), &O200kRanks()}) {
      std::vector<uint32_t> scan, heap;
      BytePairEncodeForTest(*t, piece, false, &scan);
      BytePairEncodeForTest(*t, piece, true, &heap);
      REQUIRE(scan == heap);
    }
  }
}

TEST_CASE("invalid UTF-8 is counted as U+FFFD, never crashes") {
  std::mt19937 rng(5);
  for (int round = 0; round < 500; ++round) {
    std::string junk;
    const int len = static_cast<int>(rng() % 64);
    for (int i = 0; i < len; ++i) junk.push_back(static_cast<char>(rng() & 0xff));
    for (Encoding e : {Encoding::kCl100kBase, Encoding::kO200kBase})
      CHECK(CountTokens(e, junk) == static_cast<int64_t>(EncodeOrdinary(e, junk).size()));
  }
  CHECK(EncodeOrdinary(Encoding::kO200kBase, "\xff") ==
        EncodeOrdinary(Encoding::kO200kBase, "\xEF\xBF\xBD"));
}

TEST_CASE("character classes follow the Unicode Character Database") {
  using namespace tokenizer_format;
  CHECK(ClassOf(CharInfo('A')) == kUpper);
  CHECK(ClassOf(CharInfo(0x01C5)) == kUpper);       // Dž, titlecase
  CHECK(ClassOf(CharInfo(0x00DF)) == kLower);       // ß
  CHECK(ClassOf(CharInfo(0x4E2D)) == kLetterBoth);  // 中, in the <CJK Ideograph> range
  CHECK(ClassOf(CharInfo(0xAC00)) == kLetterBoth);  // 가, in the <Hangul Syllable> range
  CHECK(ClassOf(CharInfo(0x0301)) == kMark);
  CHECK(ClassOf(CharInfo(0x0663)) == kNumber);  // Arabic-Indic three
  CHECK(ClassOf(CharInfo(0x3000)) == kSpace);
  CHECK(ClassOf(CharInfo(0x0085)) == kSpace);  // White_Space, although JavaScript's \s lacks it
  CHECK(ClassOf(CharInfo(0xFEFF)) == kOther);
  CHECK(ScriptOf(CharInfo(0x0416)) == kScriptCyrillic);
  CHECK(ScriptOf(CharInfo(0x3042)) == kScriptKana);
  CHECK(ScriptOf(CharInfo(0x0915)) == kScriptIndic);
  CHECK(ScriptOf(CharInfo(0x110000)) == kScriptOther);
}
