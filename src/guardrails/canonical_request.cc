#include "guardrails/canonical_request.h"

#include "util/hash.h"

namespace llmctl {

nlohmann::json CanonicalRequest(const std::string& provider, const ChatRequest& r) {
  nlohmann::json messages = nlohmann::json::array();
  for (const Message& m : r.messages)
    messages.push_back({{"role", m.role}, {"content", m.content}});
  // nlohmann::json objects keep keys sorted, which makes the dump canonical.
  nlohmann::json canonical = {
      {"provider", provider}, {"model", r.model},           {"system", r.system},
      {"messages", messages}, {"max_tokens", r.max_tokens}, {"temperature", r.temperature},
      {"stop", r.stop}};
  // Only when present, so hashes and cache keys of free-text calls stay as
  // they were.
  if (!r.response_schema.is_null()) canonical["schema"] = r.response_schema;
  return canonical;
}

std::string CanonicalText(const nlohmann::json& canonical) {
  return canonical.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string PromptHash(const nlohmann::json& canonical, const std::string& hash_key) {
  const std::string text = CanonicalText(canonical);
  if (!hash_key.empty()) return "hmac-sha256:" + HmacSha256Hex(hash_key, text);
  return "sha256:" + Sha256Hex(text);
}

}  // namespace llmctl
