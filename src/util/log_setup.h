// Diagnostics go to stderr through spdlog: plain "llmctl: level: message"
// lines (coloured only on a terminal without NO_COLOR) or, with
// --log-format json, one JSON object per line for machines.
#pragma once

namespace llmctl {

struct LogOptions {
  bool json = false;   // --log-format json
  int verbosity = 0;   // -v: info, -vv: debug
  bool quiet = false;  // -q: errors only
};

void SetupLogging(const LogOptions& options);

}  // namespace llmctl
