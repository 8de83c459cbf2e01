// Secret scrubbing for every string that leaves the process or is stored:
// stderr lines, call records, the JSONL log. Modules that learn a secret
// (API keys, configured header values, passwords) register it once; the
// scrubber then masks it wherever it appears, including a fragment of at
// least kMinFragment characters cut from its start or end (a provider's
// excerpt of an echoed key, or a message truncated before it reached us).
// Scrub before truncating: a cut can turn a masked secret into a fragment
// that is shorter than kMinFragment.
#pragma once

#include <cstddef>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace llmctl {

class SecretScrubber {
 public:
  // Fragments shorter than this are too common to mask without garbling text.
  static constexpr size_t kMinFragment = 8;

  // Adds a secret. Secrets shorter than kMinFragment are ignored: masking
  // every occurrence of a few characters would garble ordinary text, and
  // such a value guards nothing. Thread-safe; registering twice is harmless.
  void Add(std::string_view secret);

  // text with each registered secret, and each start or end fragment of one
  // of at least kMinFragment characters, replaced by MaskSecret(secret).
  // Pure over its inputs; thread-safe.
  std::string Scrub(std::string_view text) const;

  bool empty() const;

 private:
  mutable std::shared_mutex mu_;
  std::vector<std::string> secrets_;  // longest first, so a longer secret wins
};

// Whether a header of this name carries a credential (its name mentions auth,
// key, token, secret, cookie or password). Only such configured header values
// are secrets: scrubbing a public one such as "HTTP-Referer: https://x" would
// mask every URL.
bool IsSecretHeaderName(std::string_view name);

// The process-wide scrubber every boundary uses.
SecretScrubber& ProcessSecrets();

// Shorthands for ProcessSecrets().Add / .Scrub.
void RegisterSecret(std::string_view secret);
std::string ScrubSecrets(std::string_view text);

}  // namespace llmctl
