#include "tokenizer/tables.h"

#include <doctest/doctest.h>

#include <cstring>

using namespace llmctl;
namespace fmt = llmctl::tokenizer_format;

namespace {

// Walks an embedded rank table the way RankTable reads it and checks that
// every token's bytes lie inside its own slot's group: a lookup then reads
// one small region of the table, not a slot here and its bytes far away.
void CheckGroupsHoldTheirBytes(const unsigned char* table, uint32_t expected_tokens) {
  fmt::RankTableHeader h;
  std::memcpy(&h, table, sizeof h);
  REQUIRE(std::memcmp(h.magic, fmt::kRankMagic, sizeof h.magic) == 0);
  CHECK(h.token_count == expected_tokens);
  REQUIRE(h.group_stride % 8 == 0);
  const unsigned char* groups = table + sizeof h;
  uint32_t seen = 0;
  for (uint32_t i = 0; i < h.slot_count; ++i) {
    uint64_t s;
    std::memcpy(&s, groups + fmt::SlotPosition(i, h.group_shift, h.group_stride), sizeof s);
    if (s == 0) continue;
    ++seen;
    const uint32_t group = i >> h.group_shift;
    const uint64_t begin = fmt::GroupBytesPosition(group, h.group_shift, h.group_stride);
    const uint64_t end = uint64_t{group + 1} * h.group_stride;
    const uint64_t offset = fmt::SlotOffset(s);
    CHECK_MESSAGE((offset >= begin && offset + fmt::SlotLen(s) <= end), "slot ", i);
    // The bytes hash back to the slot's tag: they are this slot's token.
    CHECK(fmt::SlotTag(s) == fmt::HashTag(fmt::HashBytes(groups + offset, fmt::SlotLen(s))));
  }
  CHECK(seen == expected_tokens);
}

}  // namespace

TEST_CASE("rank tables: each group holds the bytes of its own tokens") {
  CheckGroupsHoldTheirBytes(llmctl_cl100k_base, Cl100kRanks().token_count());
  CheckGroupsHoldTheirBytes(llmctl_o200k_base, O200kRanks().token_count());
  CHECK(O200kRanks().token_count() > 190000);
}
