// Normalisation of provider finish reasons to the record's vocabulary:
// stop | length | content_filter | tool_calls | error.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace llmctl {

using FinishTable = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// Looks raw up in the adapter's table. A value the table does not know
// (servers invent their own: "eos", "abort", "OTHER") counts as "stop" when
// the answer has text, since it still ended and was kept whole, and as
// "error" when it has none, so an empty answer never passes for a good one.
// A raw "error" or "abort" is always "error".
std::string NormaliseFinishReason(std::string_view raw, bool has_text, FinishTable table);

}  // namespace llmctl
