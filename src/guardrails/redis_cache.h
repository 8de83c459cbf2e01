// RedisCache: the response cache shared by a fleet. Each entry is one key
// holding the cassette JSON of the entry and expiring natively when its TTL
// ends, so nothing needs pruning. Hits and the cost they saved are counted
// on the server, since the fleet's records are not all in one file.
#pragma once

#include <string>

#include "guardrails/response_cache.h"
#include "store/redis_connection.h"

namespace llmctl {

// The same promises as ResponseCache.
class RedisCache {
 public:
  RedisCache(RedisConnection& redis, std::string prefix)
      : redis_(redis), prefix_(std::move(prefix)) {}

  std::optional<CacheEntry> Lookup(const std::string& key, int64_t now_ms);
  // Entries expire on the server, so only those still there are found.
  std::optional<CacheEntry> LookupAnyAge(const std::string& key);
  std::string DescribeNearMiss(const nlohmann::json& key_input);
  Status Store(const CacheEntry& entry);
  Status Stats(int64_t now_ms, CacheStats* out);
  Status Clear(int64_t* removed);
  // Expired entries are already gone: removes nothing.
  Status Prune(int64_t now_ms, int64_t* removed);
  Status Export(std::ostream& out, int64_t* count);
  Status Import(std::istream& in, const std::string& name, int64_t* imported,
                std::vector<std::string>* bad_lines);

 private:
  std::string EntryPrefix() const { return prefix_ + "cache:e:"; }
  std::string StatsKey() const { return prefix_ + "cache:stats"; }
  Status ReadAll(std::vector<CacheEntry>* entries, int64_t* bytes);
  std::optional<CacheEntry> Get(const std::string& key, int64_t now_ms, bool any_age);
  RedisConnection& redis_;
  std::string prefix_;
};

}  // namespace llmctl
