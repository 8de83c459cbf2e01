// The sliding window: a conversation's history is cut from the front so the
// request still fits, using the very estimate (and margin) the pre-flight
// context check applies, so a request the window let through is never
// refused by that check for its history.
#pragma once

#include <cstddef>
#include <cstdint>

#include "providers/chat.h"

namespace llmctl {

struct WindowLimits {
  int64_t context_window = 0;      // the model's window; 0: unknown
  int64_t history_max_tokens = 0;  // LLM_HISTORY_MAX_TOKENS; 0: unset
};

// Drops messages from the front of request->messages, only among the first
// `droppable` of them (the history; what follows is the newest turn), a
// user message together with the assistant answer after it, until the
// estimated input plus max_tokens fits the smaller of the two limits. The
// system message is never touched. Returns how many messages were dropped.
// When the newest turn alone does not fit, every droppable message is gone
// and the request is left for the pre-flight to refuse (or to send, when
// only LLM_HISTORY_MAX_TOKENS was exceeded and the model's window holds it).
// request->model must be set: it picks the tokenizer.
int64_t FitToWindow(ChatRequest* request, size_t droppable, const WindowLimits& limits);

// Where the newest turn of a message list starts: at its last user message
// (an assistant message after it, a prefill, belongs to the turn). 0 when
// there is no user message.
size_t NewestTurnStart(const ChatRequest& request);

}  // namespace llmctl
