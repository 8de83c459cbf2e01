// Byte-pair encoding of one pre-tokenised piece: start from single bytes and
// repeatedly merge the adjacent pair whose concatenation has the lowest rank
// (leftmost on ties) until no adjacent pair is a token; the ranks of the
// remaining parts are the token ids. Identical to tiktoken's byte_pair_merge.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "tokenizer/tables.h"

namespace llmctl {

// Appends the piece's token ids to *out.
void BytePairEncode(const RankTable& ranks, std::string_view piece, std::vector<uint32_t>* out);

// The number of tokens BytePairEncode would append.
size_t BytePairCount(const RankTable& ranks, std::string_view piece);

// Pieces longer than this are merged with a heap in O(n log n) rather than
// tiktoken's O(n²) scan, so one long run of CJK text or white space cannot
// stall a count; both give the same tokens. Exposed for that test.
inline constexpr size_t kHeapMergeThreshold = 128;
void BytePairEncodeForTest(const RankTable& ranks, std::string_view piece, bool use_heap,
                           std::vector<uint32_t>* out);

}  // namespace llmctl
