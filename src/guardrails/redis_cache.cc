#include "guardrails/redis_cache.h"

#include <algorithm>
#include <ostream>

#include <spdlog/spdlog.h>

#include "guardrails/redis_keys.h"
#include "util/time_format.h"

namespace llmctl {
namespace {

std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool Parse(const std::string& text, CacheEntry* e) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !CacheEntryFromJson(j, e).ok()) return false;
  return true;
}

}  // namespace

std::optional<CacheEntry> RedisCache::Lookup(const std::string& key, int64_t now_ms) {
  return Get(key, now_ms, false);
}

std::optional<CacheEntry> RedisCache::LookupAnyAge(const std::string& key) {
  return Get(key, 0, true);
}

std::string RedisCache::DescribeNearMiss(const nlohmann::json& key_input) {
  std::vector<CacheEntry> entries;
  int64_t bytes = 0;
  if (!ReadAll(&entries, &bytes).ok()) return "";
  NearMissFinder finder(key_input);
  for (const CacheEntry& e : entries) finder.Consider(e.key_input);
  return finder.best();
}

std::optional<CacheEntry> RedisCache::Get(const std::string& key, int64_t now_ms, bool any_age) {
  RedisReply r;
  Status st = redis_.Command({"GET", EntryPrefix() + key}, &r);
  if (!st.ok()) {
    spdlog::warn("cache unavailable: {}", st.message());
    return std::nullopt;
  }
  CacheEntry e;
  const std::string text = ReplyString(r.get());
  if (text.empty() || !Parse(text, &e)) return std::nullopt;
  if (!any_age && e.expires_ms > e.created_ms && e.expires_ms <= now_ms) return std::nullopt;
  std::vector<RedisReply> replies;
  st = redis_.Pipeline({{"HINCRBY", StatsKey(), "hits", "1"},
                        {"HINCRBY", StatsKey(), "saved_nanos", std::to_string(e.cost_nanos)}},
                       &replies);
  if (!st.ok()) spdlog::warn("cache hit not counted: {}", st.message());
  return e;
}

Status RedisCache::Store(const CacheEntry& e) {
  std::vector<std::string> argv = {"SET", EntryPrefix() + e.key, Dump(CacheEntryToJson(e))};
  // An entry whose expiry is not after its creation never expires, as a
  // TTL of 0 means.
  if (e.expires_ms > e.created_ms) {
    const int64_t ttl = e.expires_ms - NowUnixMs();
    if (ttl <= 0) return Status::Ok();
    argv.insert(argv.end(), {"PX", std::to_string(ttl)});
  }
  RedisReply r;
  Status st = redis_.Command(argv, &r);
  if (!st.ok()) return Status::Internal("cannot write cache entry: " + st.message());
  return Status::Ok();
}

Status RedisCache::ReadAll(std::vector<CacheEntry>* entries, int64_t* bytes) {
  std::vector<std::string> keys;
  Status st = ScanKeys(redis_, EntryPrefix(), &keys);
  if (!st.ok()) return st;
  for (size_t at = 0; at < keys.size(); at += 500) {
    std::vector<std::vector<std::string>> cmds;
    for (size_t i = at; i < std::min(keys.size(), at + 500); ++i) cmds.push_back({"GET", keys[i]});
    std::vector<RedisReply> replies;
    if (!(st = redis_.Pipeline(cmds, &replies)).ok()) return st;
    for (const RedisReply& r : replies) {
      const std::string text = ReplyString(r.get());
      CacheEntry e;
      if (text.empty() || !Parse(text, &e)) continue;  // expired between SCAN and GET
      *bytes += static_cast<int64_t>(e.text.size() + Dump(e.key_input).size());
      entries->push_back(std::move(e));
    }
  }
  return Status::Ok();
}

Status RedisCache::Stats(int64_t, CacheStats* out) {
  std::vector<CacheEntry> entries;
  int64_t bytes = 0;
  Status st = ReadAll(&entries, &bytes);
  if (!st.ok()) return st;
  RedisReply r;
  if (!(st = redis_.Command({"HMGET", StatsKey(), "hits", "saved_nanos"}, &r)).ok()) return st;
  *out = CacheStats();
  out->entries = static_cast<int64_t>(entries.size());
  out->bytes = bytes;
  out->hits = ReplyInteger(ReplyElement(r.get(), 0));
  out->saved_nanos = ReplyInteger(ReplyElement(r.get(), 1));
  return Status::Ok();
}

Status RedisCache::Clear(int64_t* removed) {
  std::vector<std::string> keys;
  Status st = ScanKeys(redis_, EntryPrefix(), &keys);
  if (!st.ok()) return st;
  *removed = 0;
  for (size_t at = 0; at < keys.size(); at += 500) {
    std::vector<std::string> argv = {"UNLINK"};
    argv.insert(argv.end(), keys.begin() + static_cast<std::ptrdiff_t>(at),
                keys.begin() + static_cast<std::ptrdiff_t>(std::min(keys.size(), at + 500)));
    RedisReply r;
    if (!(st = redis_.Command(argv, &r)).ok()) return st;
    *removed += ReplyInteger(r.get());
  }
  return Status::Ok();
}

Status RedisCache::Prune(int64_t, int64_t* removed) {
  *removed = 0;
  return Status::Ok();
}

Status RedisCache::Export(std::ostream& out, int64_t* count) {
  std::vector<CacheEntry> entries;
  int64_t bytes = 0;
  Status st = ReadAll(&entries, &bytes);
  if (!st.ok()) return st;
  std::sort(entries.begin(), entries.end(), [](const CacheEntry& a, const CacheEntry& b) {
    return a.created_ms != b.created_ms ? a.created_ms < b.created_ms : a.key < b.key;
  });
  for (const CacheEntry& e : entries) out << Dump(CacheEntryToJson(e)) << '\n';
  *count = static_cast<int64_t>(entries.size());
  return Status::Ok();
}

Status RedisCache::Import(std::istream& in, const std::string& name, int64_t* imported,
                          std::vector<std::string>* bad_lines) {
  return ReadCacheLines(
      in, name, [this](const CacheEntry& e) { return Store(e); }, imported, bad_lines);
}

}  // namespace llmctl
