// How an answer ended, in the vocabulary of the call record, and the
// normalisation of each provider's own values to it. Code decides on these
// values (truncation, content filtering, what may be cached); records carry
// them as text, since reports also read records other versions wrote.
#pragma once

#include <initializer_list>
#include <optional>
#include <string_view>
#include <utility>

namespace llmctl {

enum class FinishReason {
  kStop,           // the model finished its answer
  kLength,         // cut off at max_tokens or the context window
  kContentFilter,  // the provider's filter stopped or refused the answer
  kToolCalls,      // the model asked for a tool
  kError,          // no usable answer
};

// The record's name for r: stop | length | content_filter | tool_calls | error.
std::string_view FinishReasonName(FinishReason r);

// The value named name, or nullopt for a name this version does not know.
std::optional<FinishReason> ParseFinishReason(std::string_view name);

// Whether an answer that ended this way is whole (kStop, kToolCalls): only
// those may be cached, since a cut-off or filtered one must be asked again.
bool IsWholeAnswer(FinishReason r);

// A provider's raw values and what each means.
using FinishTable = std::initializer_list<std::pair<std::string_view, FinishReason>>;

// Looks raw up in the adapter's table. A value the table does not know
// (servers invent their own: "eos", "abort", "OTHER") counts as kStop when
// the answer has text, since it still ended and was kept whole, and as
// kError when it has none, so an empty answer never passes for a good one.
// A raw "error" or "abort" is always kError.
FinishReason NormaliseFinishReason(std::string_view raw, bool has_text, FinishTable table);

}  // namespace llmctl
