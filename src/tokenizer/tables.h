// Access to the tables embedded in the binary at build time: the rank
// tables of the two encodings and the per-code-point character classes.
// Lookups read the executable's read-only data in place, so a process pays
// only for the pages its lookups touch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "tokenizer/table_format.h"

// Emitted by the generated tokenizer_tables.cc (tools/gen_tokenizer_tables.cc).
extern "C" {
extern const unsigned char llmctl_cl100k_base[];
extern const unsigned char llmctl_o200k_base[];
extern const unsigned char llmctl_unicode_classes[];
}

namespace llmctl {

// One encoding's token bytes → rank (= token id).
class RankTable {
 public:
  // rank_table: the start of an embedded table in the table_format.h layout.
  explicit RankTable(const unsigned char* rank_table);

  // The rank of exactly these bytes, or -1 when they are not a token.
  int32_t Find(const unsigned char* bytes, size_t n) const {
    if (n == 0 || n > 0xff) return -1;
    const uint64_t h = tokenizer_format::HashBytes(bytes, n);
    const uint64_t tag = tokenizer_format::HashTag(h);
    for (uint32_t i = static_cast<uint32_t>(h) & mask_;; i = (i + 1) & mask_) {
      uint64_t s;
      std::memcpy(&s, groups_ + tokenizer_format::SlotPosition(i, group_shift_, group_stride_),
                  sizeof s);
      if (s == 0) return -1;
      if (tokenizer_format::SlotLen(s) == n && tokenizer_format::SlotTag(s) == tag &&
          std::memcmp(groups_ + tokenizer_format::SlotOffset(s), bytes, n) == 0)
        return static_cast<int32_t>(tokenizer_format::SlotRank(s));
    }
  }

  uint32_t token_count() const { return token_count_; }

 private:
  const unsigned char* groups_;
  uint32_t mask_;
  uint32_t group_shift_;
  size_t group_stride_;
  uint32_t token_count_;
};

const RankTable& Cl100kRanks();
const RankTable& O200kRanks();

// CharClass (bits 0-2) and ScriptGroup (bits 3-7) of a code point.
inline uint8_t CharInfo(uint32_t cp) {
  if (cp >= 0x110000) return tokenizer_format::kOther | tokenizer_format::kScriptOther << 3;
  uint16_t block;
  std::memcpy(&block, llmctl_unicode_classes + 2 * (cp >> 8), 2);
  return llmctl_unicode_classes[2 * tokenizer_format::kStage1Entries + (block << 8) + (cp & 0xff)];
}

inline tokenizer_format::CharClass ClassOf(uint8_t info) {
  return static_cast<tokenizer_format::CharClass>(info & 7);
}
inline tokenizer_format::ScriptGroup ScriptOf(uint8_t info) {
  return static_cast<tokenizer_format::ScriptGroup>(info >> 3);
}

}  // namespace llmctl
