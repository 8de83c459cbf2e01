#include "tokenizer/encoding.h"

#include <string>

#include "tokenizer/byte_pair.h"
#include "tokenizer/pretokenize.h"
#include "tokenizer/tables.h"
#include "util/utf8.h"

namespace llmctl {
namespace {

const RankTable& RanksOf(Encoding e) {
  return e == Encoding::kCl100kBase ? Cl100kRanks() : O200kRanks();
}

// Calls f(piece) for each pre-tokenised piece of valid UTF-8 text.
template <typename F>
void ForEachPiece(Encoding e, std::string_view text, F f) {
  for (size_t p = 0; p < text.size();) {
    size_t end = PieceEnd(e, text, p);
    f(text.substr(p, end - p));
    p = end;
  }
}

template <typename F>
void WithValidText(std::string_view text, F f) {
  if (!FindInvalidUtf8(text)) return f(text);
  const std::string repaired = ReplaceInvalidUtf8(text);
  f(std::string_view(repaired));
}

}  // namespace

std::string_view EncodingName(Encoding e) {
  return e == Encoding::kCl100kBase ? "cl100k_base" : "o200k_base";
}

std::vector<uint32_t> EncodeOrdinary(Encoding e, std::string_view text) {
  std::vector<uint32_t> ids;
  const RankTable& ranks = RanksOf(e);
  WithValidText(text, [&](std::string_view valid) {
    ForEachPiece(e, valid, [&](std::string_view piece) { BytePairEncode(ranks, piece, &ids); });
  });
  return ids;
}

int64_t CountTokens(Encoding e, std::string_view text) {
  int64_t n = 0;
  const RankTable& ranks = RanksOf(e);
  WithValidText(text, [&](std::string_view valid) {
    ForEachPiece(e, valid, [&](std::string_view piece) {
      n += static_cast<int64_t>(BytePairCount(ranks, piece));
    });
  });
  return n;
}

}  // namespace llmctl
