// The layout of the tables the build generates (tools/gen_tokenizer_tables.cc)
// and the binary embeds, shared by the generator and the reader so the two
// cannot disagree. Tables are read in place from the executable's read-only
// data: nothing is parsed or copied at run time, and only the pages a lookup
// touches are ever loaded. The build host is the target, so integers are in
// native byte order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace llmctl::tokenizer_format {

// A rank table: an open-addressed hash table from token bytes to rank,
// cut into groups of 2^group_shift consecutive slots. Each group holds its
// slots followed by the bytes of the tokens in them, so a lookup reads one
// small region: a process counting a short prompt pages in a few groups
// rather than a page of slots and another of bytes per token.
//   RankTableHeader, then slot_count >> group_shift groups, each
//   group_stride bytes: uint64_t slots[1 << group_shift], the token bytes,
//   zero padding.
// A slot is 0 when empty, else len (bits 0-7, never 0), offset of the bytes
// from the first group (bits 8-31), rank (bits 32-49) and 14 more bits of
// the hash (bits 50-63) so most probes that miss never read the bytes.
struct RankTableHeader {
  char magic[8];        // "LLMBPE2\0"
  uint32_t slot_count;  // a power of two, at most half full
  uint32_t token_count;
  uint32_t group_shift;   // slots per group: 1 << group_shift
  uint32_t group_stride;  // bytes from one group to the next, a multiple of 8
};

inline constexpr char kRankMagic[8] = {'L', 'L', 'M', 'B', 'P', 'E', '2', '\0'};
// 32 KiB of slots per group; their tokens' bytes add about a third again.
inline constexpr uint32_t kGroupShift = 12;

// Where slot i lies, in bytes from the first group.
inline size_t SlotPosition(uint32_t i, uint32_t group_shift, size_t group_stride) {
  return size_t{i >> group_shift} * group_stride +
         size_t{i & ((uint32_t{1} << group_shift) - 1)} * sizeof(uint64_t);
}
// Where group g's token bytes begin, in bytes from the first group.
inline size_t GroupBytesPosition(uint32_t g, uint32_t group_shift, size_t group_stride) {
  return size_t{g} * group_stride + (size_t{1} << group_shift) * sizeof(uint64_t);
}

inline uint64_t SlotLen(uint64_t s) { return s & 0xff; }
inline uint64_t SlotOffset(uint64_t s) { return (s >> 8) & 0xffffff; }
inline uint32_t SlotRank(uint64_t s) { return static_cast<uint32_t>((s >> 32) & 0x3ffff); }
inline uint64_t SlotTag(uint64_t s) { return s >> 50; }
inline uint64_t HashTag(uint64_t h) { return h >> 50; }
inline uint64_t MakeSlot(uint64_t len, uint64_t offset, uint64_t rank, uint64_t hash) {
  return len | offset << 8 | rank << 32 | (hash >> 50) << 50;
}

// Word-at-a-time hash: BPE looks up many short byte strings, so the hash
// must be cheap for 2-16 bytes; the final multiply spreads low and high bits.
inline uint64_t HashBytes(const unsigned char* p, size_t n) {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ (n * 0xff51afd7ed558ccdull);
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
    p += 8;
    n -= 8;
  }
  uint64_t w = 0;
  std::memcpy(&w, p, n);
  h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 29;
  h *= 0x9e3779b97f4a7c15ull;
  return h ^ (h >> 32);
}

// The character table: per code point one byte, CharClass in bits 0-2 and
// ScriptGroup in bits 3-7; a two-stage table, uint16_t stage1[0x1100] of
// block numbers, then 256-byte blocks.
inline constexpr uint32_t kStage1Entries = 0x110000 >> 8;

// What the pre-tokenisation patterns need to tell apart. \p{L} is Lu Ll Lt
// Lm Lo; \p{M} counts as a letter in o200k's pattern and not in cl100k's.
enum CharClass : uint8_t {
  kOther = 0,       // not a letter, mark, number or white space
  kUpper = 1,       // Lu, Lt
  kLower = 2,       // Ll
  kLetterBoth = 3,  // Lm, Lo: in both of o200k's case classes
  kMark = 4,        // Mn, Mc, Me
  kNumber = 5,      // Nd, Nl, No
  kSpace = 6,       // White_Space
};

// Scripts whose text tokenises at clearly different rates, for estimates.
enum ScriptGroup : uint8_t {
  kScriptCommon = 0,  // punctuation, digits, symbols, spaces, emoji
  kScriptLatin,
  kScriptCyrillic,
  kScriptGreek,
  kScriptArmenianGeorgian,
  kScriptHebrew,
  kScriptArabic,  // Arabic, Syriac, Thaana
  kScriptIndic,   // Devanagari, Bengali, Gurmukhi, Gujarati, Oriya, Tamil,
                  // Telugu, Kannada, Malayalam, Sinhala
  kScriptThaiLao,
  kScriptHan,
  kScriptKana,  // Hiragana, Katakana
  kScriptHangul,
  kScriptInherited,  // combining marks that take the script of their base
  kScriptOther,
  kScriptGroupCount,
};

}  // namespace llmctl::tokenizer_format
