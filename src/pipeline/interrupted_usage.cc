#include "pipeline/interrupted_usage.h"

namespace llmctl {

Usage InterruptedUsage(int64_t input_estimate, int64_t received_bytes) {
  Usage u;
  u.input_tokens = input_estimate;
  u.output_tokens = (received_bytes + 3) / 4;
  return u;
}

}  // namespace llmctl
