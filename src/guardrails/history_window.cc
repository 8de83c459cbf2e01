#include "guardrails/history_window.h"

#include <algorithm>

#include "guardrails/token_estimate.h"
#include "records/money.h"

namespace llmctl {

int64_t FitToWindow(ChatRequest* request, size_t droppable, const WindowLimits& limits) {
  int64_t budget = limits.context_window;
  if (limits.history_max_tokens > 0 && (budget == 0 || limits.history_max_tokens < budget))
    budget = limits.history_max_tokens;
  droppable = std::min(droppable, request->messages.size());
  if (budget <= 0 || droppable == 0) return 0;

  // Each text is counted once; the candidates differ only in how many
  // leading messages they leave out.
  const RequestTokenParts parts = CountRequestParts(*request);
  int64_t kept = parts.fixed;
  for (int64_t m : parts.messages) kept += m;
  auto fits = [&] { return SaturatingAdd(WithMargin(kept), request->max_tokens) <= budget; };

  size_t cut = 0;
  while (cut < droppable && !fits()) {
    // A user message goes with the assistant answer that follows it, so
    // the history left still alternates as every provider requires.
    size_t unit = 1;
    if (request->messages[cut].role == "user" && cut + 1 < droppable &&
        request->messages[cut + 1].role == "assistant")
      unit = 2;
    for (size_t i = cut; i < cut + unit; ++i) kept -= parts.messages[i];
    cut += unit;
  }
  request->messages.erase(request->messages.begin(),
                          request->messages.begin() + static_cast<std::ptrdiff_t>(cut));
  return static_cast<int64_t>(cut);
}

size_t NewestTurnStart(const ChatRequest& request) {
  for (size_t i = request.messages.size(); i > 0; --i)
    if (request.messages[i - 1].role == "user") return i - 1;
  return 0;
}

}  // namespace llmctl
