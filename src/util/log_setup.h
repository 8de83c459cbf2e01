// Diagnostics go to stderr through spdlog: plain "llmctl: level: message"
// lines (coloured only on a terminal without NO_COLOR) or, with
// --log-format json, one JSON object per line for machines.
#pragma once

#include "commands/command.h"

namespace llmctl {

void SetupLogging(const GlobalOptions& options);

}  // namespace llmctl
