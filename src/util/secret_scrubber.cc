#include "util/secret_scrubber.h"

#include <algorithm>
#include <cctype>
#include <mutex>

#include "util/mask.h"

namespace llmctl {
namespace {

struct Span {
  size_t begin = 0;
  size_t end = 0;
};

// Spans of text holding secret whole, or a start (or end) fragment of it of
// at least min characters: found from the first (or last) min characters,
// then extended as far as text keeps agreeing with the secret.
void FindSpans(std::string_view text, std::string_view secret, size_t min, std::vector<Span>* out) {
  const std::string_view head = secret.substr(0, min);
  for (size_t at = text.find(head); at != std::string_view::npos; at = text.find(head, at + 1)) {
    size_t n = min;
    while (n < secret.size() && at + n < text.size() && text[at + n] == secret[n]) ++n;
    out->push_back({at, at + n});
  }
  const std::string_view tail = secret.substr(secret.size() - min);
  for (size_t at = text.find(tail); at != std::string_view::npos; at = text.find(tail, at + 1)) {
    const size_t end = at + min;
    size_t n = min;
    while (n < secret.size() && n < end && text[end - n - 1] == secret[secret.size() - n - 1]) ++n;
    out->push_back({end - n, end});
  }
}

}  // namespace

void SecretScrubber::Add(std::string_view secret) {
  if (secret.size() < kMinFragment) return;
  std::unique_lock lock(mu_);
  if (std::find(secrets_.begin(), secrets_.end(), secret) != secrets_.end()) return;
  secrets_.emplace_back(secret);
  std::stable_sort(secrets_.begin(), secrets_.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

bool SecretScrubber::empty() const {
  std::shared_lock lock(mu_);
  return secrets_.empty();
}

std::string SecretScrubber::Scrub(std::string_view text) const {
  std::shared_lock lock(mu_);
  std::string out(text);
  for (const std::string& secret : secrets_) {
    std::vector<Span> spans;
    FindSpans(out, secret, kMinFragment, &spans);
    if (spans.empty()) continue;
    std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
      return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
    });
    const std::string masked = MaskSecret(secret);
    std::string next;
    size_t copied = 0;
    for (const Span& s : spans) {
      if (s.end <= copied) continue;  // inside a span already masked
      next.append(out, copied, s.begin > copied ? s.begin - copied : 0);
      next += masked;
      copied = s.end;
    }
    next.append(out, copied, std::string::npos);
    out = std::move(next);
  }
  return out;
}

bool IsSecretHeaderName(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* word : {"auth", "key", "token", "secret", "cookie", "password"})
    if (lower.find(word) != std::string::npos) return true;
  return false;
}

SecretScrubber& ProcessSecrets() {
  static SecretScrubber scrubber;
  return scrubber;
}

void RegisterSecret(std::string_view secret) { ProcessSecrets().Add(secret); }

std::string ScrubSecrets(std::string_view text) { return ProcessSecrets().Scrub(text); }

}  // namespace llmctl
