// ResponseCache: exact-match answers for deterministic calls. The key is the
// SHA-256 of a canonical JSON of everything that can change the answer, so
// leaving a parameter out can never serve a wrong answer. Only complete,
// successful answers are stored.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "providers/chat.h"
#include "store/database.h"
#include "util/status.h"

namespace llmctl {

// Bumped whenever the key input or the stored answer changes meaning.
constexpr int kCacheFormatVersion = 1;

struct CacheEntry {
  std::string key;
  nlohmann::json key_input;  // the canonical request the key hashes
  int64_t created_ms = 0;
  int64_t expires_ms = 0;
  std::string provider;  // the provider and model that served the answer
  std::string model;
  std::string text;
  std::string finish_reason;
  std::string provider_finish_reason;
  Usage usage;
  int64_t cost_nanos = 0;  // what the original call cost
  std::string price_source;
};

// When an entry made now with ttl_seconds expires; a TTL of 0 means never.
int64_t CacheExpiryMs(int64_t now_ms, int64_t ttl_seconds);

// The canonical key input of a request addressed to provider.
nlohmann::json CacheKeyInput(const std::string& provider, const ChatRequest& request,
                             const std::string& cache_namespace);
std::string CacheKey(const nlohmann::json& key_input);

struct CacheStats {
  int64_t entries = 0;
  int64_t expired = 0;
  int64_t hits = 0;
  int64_t bytes = 0;
  int64_t saved_nanos = 0;  // cost of the answers served from cache
};

class ResponseCache {
 public:
  explicit ResponseCache(Database& db) : db_(db) {}

  // A live entry for key, or nullopt; an expired entry is never returned.
  std::optional<CacheEntry> Lookup(const std::string& key, int64_t now_ms);
  // The entry for key whatever its age: a recorded cassette replays in CI
  // long after its expiry date.
  std::optional<CacheEntry> LookupAnyAge(const std::string& key);
  // After a miss: which key parts (temperature, model, max_tokens, ...) set
  // a stored entry for the same prompt apart from key_input, e.g.
  // "temperature (cached 0, requested 0.7)". Empty when no entry has the
  // same system prompt and messages.
  std::string DescribeNearMiss(const nlohmann::json& key_input);
  Status Store(const CacheEntry& entry);
  Status Stats(int64_t now_ms, CacheStats* out);
  Status Clear(int64_t* removed);
  Status Prune(int64_t now_ms, int64_t* removed);

  // JSONL: one entry a line, carrying key_input so the key can be rebuilt.
  Status Export(std::ostream& out, int64_t* count);
  // Reads JSONL; a bad line is reported with its line number in *bad_lines
  // and skipped.
  Status Import(std::istream& in, const std::string& name, int64_t* imported,
                std::vector<std::string>* bad_lines);

 private:
  Database& db_;
};

// Reads cassette JSONL and hands each good entry to store; a bad line is
// reported as "NAME:LINE: why" in *bad_lines and skipped.
Status ReadCacheLines(std::istream& in, const std::string& name,
                      const std::function<Status(const CacheEntry&)>& store, int64_t* imported,
                      std::vector<std::string>* bad_lines);

// Picks, among stored key inputs, the one for the same prompt that differs
// from the wanted one in the fewest key parts, and says how, as
// ResponseCache::DescribeNearMiss promises.
class NearMissFinder {
 public:
  explicit NearMissFinder(nlohmann::json want) : want_(std::move(want)) {}
  void Consider(const nlohmann::json& have);
  const std::string& best() const { return best_; }

 private:
  std::string Difference(const nlohmann::json& have, size_t* count) const;
  nlohmann::json want_;
  std::string best_;
  size_t best_count_ = SIZE_MAX;
};

nlohmann::json CacheEntryToJson(const CacheEntry& e);
Status CacheEntryFromJson(const nlohmann::json& j, CacheEntry* e);

}  // namespace llmctl
