// What an interrupted call costs. A request cut short (Ctrl-C, SIGTERM, or
// a reader that closed the pipe mid-stream) has already been billed by the
// provider for its input, and for the output streamed so far; recording 0
// would let limits and spend caps undercount.
#pragma once

#include <cstdint>

#include "providers/chat.h"

namespace llmctl {

// Usage to record and settle for a call interrupted after its request was
// sent: the input estimate, and about one token per four bytes of the text
// already received.
Usage InterruptedUsage(int64_t input_estimate, int64_t received_bytes);

}  // namespace llmctl
