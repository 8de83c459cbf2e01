// What a call that went down the fallback chain tells the user: which
// providers were tried, and when every one of them rejected its key, that
// this is a configuration problem (exit 3) naming the variable to fix.
#pragma once

#include <string>
#include <vector>

#include "providers/provider.h"
#include "records/call_record.h"
#include "util/status.h"

namespace llmctl {

// The variable(s) holding a provider's key, e.g. "OPENAI_API_KEY", or
// "GOOGLE_API_KEY or GEMINI_API_KEY"; empty for keyless providers.
std::string KeyVariablesOf(const ProviderConfig& cfg);

// The status of a call none of whose attempts answered. `last` is the
// status made from the last failure. When every provider contacted failed
// authentication (401/403) it becomes a kConfig status naming each provider
// and its key variable; otherwise, when more than one provider was
// contacted, the message names them all with how each failed.
Status FailedCallStatus(const Status& last, const std::vector<Attempt>& attempts,
                        const std::vector<ProviderConfig>& chain);

// After a successful fallback: one warning on stderr naming the provider
// that answered and those that failed before it (hidden by -q).
void NoteFallbackAnswer(const std::vector<Attempt>& attempts);

}  // namespace llmctl
