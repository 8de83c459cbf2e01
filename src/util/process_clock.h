// Time since this process started, for stage timings in debug output
// (the guardrail benchmark reads them).
#pragma once

namespace llmctl {

double MsSinceProcessStart();

}  // namespace llmctl
