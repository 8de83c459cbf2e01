// The content guard: the untrusted-input and output-check rules applied to
// one call. Before sending, it scans the prompt and every data document,
// spotlights the data into the user turn and adds the canary; after the
// answer, it runs the output checks and looks for the canary. The pipeline
// decides what a verdict means for stdout, the cache and the exit code.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/settings.h"
#include "guardrails/canary.h"
#include "guardrails/injection_scanner.h"
#include "guardrails/output_checks.h"
#include "guardrails/spotlight.h"
#include "providers/chat.h"
#include "records/call_record.h"
#include "util/status.h"

namespace llmctl {

enum class InjectionPolicy { kOff, kWarn, kBlock };

struct ContentGuardOptions {
  InjectionPolicy policy = InjectionPolicy::kWarn;
  SpotlightMode spotlight = SpotlightMode::kDelimit;
  bool canary = false;
  std::vector<ExtraPattern> extra_patterns;
};

// The options LLM_INJECTION_POLICY, LLM_SPOTLIGHT, LLM_CANARY and
// LLMCTL_INJECTION_PATTERNS_FILE describe (already validated by settings).
ContentGuardOptions ContentGuardFromSettings(const Settings& settings);

struct GuardedInput {
  std::vector<GuardFinding> findings;  // stage "input"
  bool refused = false;                // findings under block: nothing may be sent
  std::optional<Canary> canary;
  // Random strings this call put into the request (the boundary, the
  // canary). Hashes and cache keys see a fixed placeholder instead, so two
  // calls with the same input share a cache entry.
  std::vector<std::string> volatile_tokens;
};

// Scans request's user turns ("prompt" for the last, "message N" for
// earlier ones) and each of `data` ("data N"), unless the policy is off.
// Unless refused, moves the data into the last user turn between markers
// and adds the spotlight instruction and the canary line to the system
// message. A pattern file that does not compile is a kConfig status.
Status GuardInput(const ContentGuardOptions& options, const std::vector<std::string>& data,
                  ChatRequest* request, GuardedInput* out);

// The request with every volatile token replaced by a fixed placeholder.
ChatRequest StableView(const ChatRequest& request, const std::vector<std::string>& volatile_tokens);

struct AnswerVerdict {
  std::vector<GuardFinding> findings;  // stage "output"
  bool withhold = false;               // the answer may not be printed, cached or pass
  bool schema_only = false;            // every failure is the schema (a re-ask may cure it)
};

// Checks an answer: the output checks (checker may be null) and, with a
// canary, a leak — which withholds the answer only under block.
AnswerVerdict CheckAnswer(const OutputChecker* checker, const std::optional<Canary>& canary,
                          InjectionPolicy policy, std::string_view answer);

// Whether a streamed answer must be held back until it is checked.
bool MustBufferAnswer(const OutputChecker* checker, const ContentGuardOptions& options);

// One stderr line per finding under warn.
std::string DescribeFinding(const GuardFinding& finding);

}  // namespace llmctl
