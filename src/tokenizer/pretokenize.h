// Pre-tokenisation: the split of text into pieces that byte-pair encoding
// then encodes one by one. Each encoding splits with its own regular
// expression; these are hand-written scanners that return exactly the
// matches of those expressions (leftmost alternative first, greedy with
// backtracking, Unicode general categories and White_Space), because a
// regex engine with look-ahead costs more per byte than the BPE itself.
#pragma once

#include <cstddef>
#include <string_view>

#include "tokenizer/encoding.h"

namespace llmctl {

// The end (exclusive byte offset) of the piece that starts at `start`;
// text must be valid UTF-8 and start < text.size() on a code point boundary.
//
// cl100k_base:
//   '(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+|
//    ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s
// o200k_base (seven alternatives):
//   [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//   [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//   \p{N}{1,3}
//    ?[^\s\p{L}\p{N}]+[\r\n/]*
//   \s*[\r\n]+
//   \s+(?!\S)
//   \s+
size_t PieceEnd(Encoding encoding, std::string_view text, size_t start);

}  // namespace llmctl
