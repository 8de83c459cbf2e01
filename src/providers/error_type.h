// Why a call or one attempt failed, in the vocabulary of the call record.
// Code decides on these values (retry or not, which exit code, which
// latency figures a failure counts in); records carry them as text, since
// reports also read records written by other versions of llmctl.
#pragma once

#include <optional>
#include <string_view>

namespace llmctl {

enum class ErrorType {
  kNone,            // no failure
  kNetwork,         // no HTTP response: DNS, connect, TLS, reset
  kTimeout,         // a deadline passed
  kInterrupted,     // a signal aborted the request
  kAuth,            // the key was refused
  kRateLimited,     // the provider's limit, or llmctl's own
  kProviderError,   // any other failure at the provider
  kInvalidRequest,  // the provider rejected the request itself
  kContentFilter,   // the provider refused the content
  kContextWindow,   // the request does not fit the model's window
  kBudgetExceeded,  // a spend cap refused the call
  kGuardRefused,    // the content guard refused the input or the answer
  kTruncated,       // the answer hit max_tokens and was not accepted
  kSkipped,         // an attempt never made (its provider was not tried)
};

// The record's name for t ("" for kNone).
std::string_view ErrorTypeName(ErrorType t);

// The value named name, or nullopt for a name this version does not know.
std::optional<ErrorType> ParseErrorType(std::string_view name);

}  // namespace llmctl
