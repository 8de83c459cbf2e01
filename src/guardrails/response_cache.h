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

// Where cache entries are kept: the local SQLite file (ResponseCache) or a
// Redis shared by a fleet (RedisCache, whose entries expire natively).
class CacheStore {
 public:
  virtual ~CacheStore() = default;
  // A live entry for key, or nullopt; an expired entry is never returned.
  virtual std::optional<CacheEntry> Lookup(const std::string& key, int64_t now_ms) = 0;
  virtual Status Store(const CacheEntry& entry) = 0;
  virtual Status Stats(int64_t now_ms, CacheStats* out) = 0;
  virtual Status Clear(int64_t* removed) = 0;
  virtual Status Prune(int64_t now_ms, int64_t* removed) = 0;

  // JSONL: one entry a line, carrying key_input so the key can be rebuilt.
  virtual Status Export(std::ostream& out, int64_t* count) = 0;
  // Reads JSONL; a bad line is reported with its line number in *bad_lines
  // and skipped.
  virtual Status Import(std::istream& in, const std::string& name, int64_t* imported,
                        std::vector<std::string>* bad_lines) = 0;
};

class ResponseCache : public CacheStore {
 public:
  explicit ResponseCache(Database& db) : db_(db) {}

  std::optional<CacheEntry> Lookup(const std::string& key, int64_t now_ms) override;
  Status Store(const CacheEntry& entry) override;
  Status Stats(int64_t now_ms, CacheStats* out) override;
  Status Clear(int64_t* removed) override;
  Status Prune(int64_t now_ms, int64_t* removed) override;
  Status Export(std::ostream& out, int64_t* count) override;
  Status Import(std::istream& in, const std::string& name, int64_t* imported,
                std::vector<std::string>* bad_lines) override;

 private:
  Database& db_;
};

// Reads cassette JSONL and hands each good entry to store; a bad line is
// reported as "NAME:LINE: why" in *bad_lines and skipped.
Status ReadCacheLines(std::istream& in, const std::string& name,
                      const std::function<Status(const CacheEntry&)>& store, int64_t* imported,
                      std::vector<std::string>* bad_lines);

nlohmann::json CacheEntryToJson(const CacheEntry& e);
Status CacheEntryFromJson(const nlohmann::json& j, CacheEntry* e);

}  // namespace llmctl
