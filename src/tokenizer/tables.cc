#include "tokenizer/tables.h"

#include <cstring>
#include <stdexcept>

namespace llmctl {

RankTable::RankTable(const unsigned char* table) {
  tokenizer_format::RankTableHeader h;
  std::memcpy(&h, table, sizeof h);
  if (std::memcmp(h.magic, tokenizer_format::kRankMagic, sizeof h.magic) != 0)
    throw std::logic_error("embedded BPE rank table is corrupt");
  groups_ = table + sizeof h;
  mask_ = h.slot_count - 1;
  group_shift_ = h.group_shift;
  group_stride_ = h.group_stride;
  token_count_ = h.token_count;
}

const RankTable& Cl100kRanks() {
  static const RankTable t(llmctl_cl100k_base);
  return t;
}

const RankTable& O200kRanks() {
  static const RankTable t(llmctl_o200k_base);
  return t;
}

}  // namespace llmctl
