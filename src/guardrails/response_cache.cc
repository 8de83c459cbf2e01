#include "guardrails/response_cache.h"

#include <cmath>
#include <istream>
#include <ostream>

#include "guardrails/canonical_request.h"
#include "providers/finish_reason.h"
#include "records/call_record.h"
#include "util/hash.h"
#include "util/json_text.h"
#include "util/time_format.h"

namespace llmctl {

nlohmann::json CacheKeyInput(const std::string& provider, const ChatRequest& r,
                             const std::string& cache_namespace) {
  nlohmann::json input = CanonicalRequest(provider, r);
  input["v"] = kCacheFormatVersion;
  input["namespace"] = cache_namespace;
  return input;
}

int64_t CacheExpiryMs(int64_t now_ms, int64_t ttl_seconds) {
  // 9999-12-31T23:59:59.999Z: still a valid ISO date in an exported cassette.
  constexpr int64_t kNever = 253402300799999;
  if (ttl_seconds <= 0 || ttl_seconds > (kNever - now_ms) / 1000) return kNever;
  return now_ms + ttl_seconds * 1000;
}

std::string CacheKey(const nlohmann::json& key_input) {
  return Sha256Hex(CanonicalText(key_input));
}

namespace {

constexpr const char* kColumns =
    "key, key_input, created_ms, expires_ms, provider, model, text, finish_reason, "
    "provider_finish_reason, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, "
    "cost_nanos, price_source";

CacheEntry ReadRow(const Statement& q) {
  CacheEntry e;
  e.key = q.ColumnText(0);
  e.key_input = nlohmann::json::parse(q.ColumnText(1), nullptr, false);
  e.created_ms = q.ColumnInt(2);
  e.expires_ms = q.ColumnInt(3);
  e.provider = q.ColumnText(4);
  e.model = q.ColumnText(5);
  e.text = q.ColumnText(6);
  e.finish_reason = q.ColumnText(7);
  e.provider_finish_reason = q.ColumnText(8);
  e.usage.input_tokens = q.ColumnInt(9);
  e.usage.output_tokens = q.ColumnInt(10);
  e.usage.cached_input_tokens = q.ColumnInt(11);
  e.usage.reasoning_tokens = q.ColumnInt(12);
  e.cost_nanos = q.ColumnInt(13);
  e.price_source = q.ColumnText(14);
  return e;
}

}  // namespace

std::optional<CacheEntry> ResponseCache::Lookup(const std::string& key, int64_t now_ms) {
  Statement q(
      db_, std::string("SELECT ") + kColumns + " FROM cache_entries WHERE key=? AND expires_ms>?");
  q.Bind(1, std::string_view(key)).Bind(2, now_ms);
  if (!q.Step()) return std::nullopt;
  CacheEntry e = ReadRow(q);
  return e;
}

std::optional<CacheEntry> ResponseCache::LookupAnyAge(const std::string& key) {
  Statement q(db_, std::string("SELECT ") + kColumns + " FROM cache_entries WHERE key=?");
  q.Bind(1, std::string_view(key));
  if (!q.Step()) return std::nullopt;
  return ReadRow(q);
}

std::string NearMissFinder::Difference(const nlohmann::json& have, size_t* count) const {
  // The parts listed are those that differ most often between a recording
  // and its replay.
  static const char* const kParts[] = {"temperature", "model",     "max_tokens", "provider",
                                       "stop",        "namespace", "v"};
  if (!have.is_object() ||
      have.value("messages", nlohmann::json()) != want_.value("messages", nlohmann::json()) ||
      have.value("system", nlohmann::json()) != want_.value("system", nlohmann::json()))
    return "";
  std::string diff;
  for (const char* part : kParts) {
    const nlohmann::json a = have.value(part, nlohmann::json()),
                         b = want_.value(part, nlohmann::json());
    if (a == b) continue;
    diff += std::string(diff.empty() ? "" : ", ") + part + " (cached " + a.dump() + ", requested " +
            b.dump() + ")";
    ++*count;
  }
  return diff;
}

void NearMissFinder::Consider(const nlohmann::json& have) {
  size_t count = 0;
  const std::string diff = Difference(have, &count);
  if (count > 0 && count < best_count_) {
    best_ = diff;
    best_count_ = count;
  }
}

std::string ResponseCache::DescribeNearMiss(const nlohmann::json& want) {
  // Only runs after a miss, so a scan of the stored key inputs is fine.
  NearMissFinder finder(want);
  Statement q(db_, "SELECT key_input FROM cache_entries");
  while (q.Step()) finder.Consider(nlohmann::json::parse(q.ColumnText(0), nullptr, false));
  return finder.best();
}

Status ResponseCache::Store(const CacheEntry& e) {
  // Two processes missing the same key both write; the later answer wins.
  Statement ins(db_, std::string("INSERT OR REPLACE INTO cache_entries(") + kColumns +
                         ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  ins.Bind(1, std::string_view(e.key))
      .Bind(2, std::string_view(
                   e.key_input.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)))
      .Bind(3, e.created_ms)
      .Bind(4, e.expires_ms)
      .Bind(5, std::string_view(e.provider))
      .Bind(6, std::string_view(e.model))
      .Bind(7, std::string_view(e.text))
      .Bind(8, std::string_view(e.finish_reason))
      .Bind(9, std::string_view(e.provider_finish_reason))
      .Bind(10, e.usage.input_tokens)
      .Bind(11, e.usage.output_tokens)
      .Bind(12, e.usage.cached_input_tokens)
      .Bind(13, e.usage.reasoning_tokens)
      .Bind(14, e.cost_nanos)
      .Bind(15, std::string_view(e.price_source));
  ins.Step();
  if (ins.failed()) return ins.Failure("writing a cache entry");
  return Status::Ok();
}

Status ResponseCache::Stats(int64_t now_ms, CacheStats* out) {
  // Hits are counted from the call records, so serving a hit needs no
  // write to the cache table.
  Statement q(db_,
              "SELECT COUNT(*), COALESCE(SUM(expires_ms<=?1),0),"
              " (SELECT COUNT(*) FROM calls WHERE cache_hit=1),"
              " COALESCE(SUM(LENGTH(text)+LENGTH(key_input)),0),"
              " (SELECT COALESCE(SUM(saved_cost_nanos),0) FROM calls WHERE cache_hit=1)"
              " FROM cache_entries");
  q.Bind(1, now_ms);
  if (!q.Step()) return q.Failure("reading the cache");
  out->entries = q.ColumnInt(0);
  out->expired = q.ColumnInt(1);
  out->hits = q.ColumnInt(2);
  out->bytes = q.ColumnInt(3);
  out->saved_nanos = q.ColumnInt(4);
  return Status::Ok();
}

Status ResponseCache::Clear(int64_t* removed) {
  Status st = db_.Exec("DELETE FROM cache_entries");
  *removed = db_.Changes();
  return st;
}

Status ResponseCache::Prune(int64_t now_ms, int64_t* removed) {
  Statement del(db_, "DELETE FROM cache_entries WHERE expires_ms<=?");
  del.Bind(1, now_ms);
  del.Step();
  if (del.failed()) return del.Failure("pruning the cache");
  *removed = db_.Changes();
  return Status::Ok();
}

nlohmann::json CacheEntryToJson(const CacheEntry& e) {
  return {{"key", e.key},
          {"key_input", e.key_input},
          {"created", FormatIsoUtcMs(e.created_ms)},
          {"expires", FormatIsoUtcMs(e.expires_ms)},
          {"provider", e.provider},
          {"model", e.model},
          {"text", e.text},
          {"finish_reason", e.finish_reason},
          {"provider_finish_reason", e.provider_finish_reason},
          {"usage",
           {{"input_tokens", e.usage.input_tokens},
            {"output_tokens", e.usage.output_tokens},
            {"cached_input_tokens", e.usage.cached_input_tokens},
            {"reasoning_tokens", e.usage.reasoning_tokens}}},
          {"cost_nanos", e.cost_nanos},
          {"price_source", e.price_source}};
}

namespace {

// obj[key] as a whole number from 0 to max (absent: 0). A cassette is
// outside input: a value beyond its domain is refused, never converted.
Status WholeNumberAt(const nlohmann::json& obj, const char* key, int64_t max, int64_t* out) {
  *out = 0;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return Status::Ok();
  const double d = it->is_number() ? it->get<double>() : -1;
  if (!(d >= 0 && d <= static_cast<double>(max)) || d != std::floor(d))
    return Status::Usage("\"" + std::string(key) + "\" must be a whole number from 0 to " +
                         std::to_string(max));
  *out = static_cast<int64_t>(d);
  return Status::Ok();
}

}  // namespace

Status CacheEntryFromJson(const nlohmann::json& j, CacheEntry* e) {
  if (!j.is_object()) return Status::Usage("not a JSON object");
  try {
    if (!j.contains("key_input") || !j["key_input"].is_object())
      return Status::Usage("missing \"key_input\" object");
    e->key_input = j["key_input"];
    // JSON tools rewrite 0.0 as 0; numbers are re-typed as CacheKeyInput
    // makes them so a cassette that went through jq still hashes the same.
    if (auto t = e->key_input.find("temperature"); t != e->key_input.end() && t->is_number()) {
      const double temperature = t->get<double>();
      if (!(temperature >= 0 && temperature <= 2))
        return Status::Usage("\"key_input.temperature\" must be a number from 0 to 2");
      *t = temperature;
    }
    for (const char* field : {"max_tokens", "v"})
      if (e->key_input.contains(field) && e->key_input[field].is_number()) {
        int64_t n = 0;
        Status st = WholeNumberAt(e->key_input, field, kMaxRecordTokens, &n);
        if (!st.ok()) return Status::Usage("key_input: " + st.message());
        e->key_input[field] = n;
      }
    e->key = CacheKey(e->key_input);
    if (j.contains("key") && j["key"].get<std::string>() != e->key)
      return Status::Usage("\"key\" does not match the SHA-256 of \"key_input\"");
    if (!j.contains("text") || !j["text"].is_string()) return Status::Usage("missing \"text\"");
    e->text = j["text"].get<std::string>();
    auto created = ParseIsoUtc(j.value("created", std::string()));
    auto expires = ParseIsoUtc(j.value("expires", std::string()));
    if (!created || !expires)
      return Status::Usage("\"created\" and \"expires\" must be ISO-8601 UTC times");
    e->created_ms = *created;
    e->expires_ms = *expires;
    e->provider = j.value("provider", std::string());
    e->model = j.value("model", std::string());
    if (e->provider.empty() || e->model.empty())
      return Status::Usage("missing \"provider\" or \"model\"");
    e->finish_reason = j.value("finish_reason", std::string("stop"));
    if (const auto finish = ParseFinishReason(e->finish_reason); !finish || !IsWholeAnswer(*finish))
      return Status::Usage("finish_reason \"" + e->finish_reason + "\" is never cached");
    e->provider_finish_reason = j.value("provider_finish_reason", std::string());
    if (j.contains("usage")) {
      const auto& u = j["usage"];
      if (!u.is_object()) return Status::Usage("\"usage\" must be an object");
      for (auto [field, out] : {std::pair{"input_tokens", &e->usage.input_tokens},
                                std::pair{"output_tokens", &e->usage.output_tokens},
                                std::pair{"cached_input_tokens", &e->usage.cached_input_tokens},
                                std::pair{"reasoning_tokens", &e->usage.reasoning_tokens}}) {
        Status st = WholeNumberAt(u, field, kMaxRecordTokens, out);
        if (!st.ok()) return Status::Usage("usage: " + st.message());
      }
    }
    if (Status st = WholeNumberAt(j, "cost_nanos", kMaxRecordCostNanos, &e->cost_nanos); !st.ok())
      return st;
    e->price_source = j.value("price_source", std::string("builtin"));
  } catch (const nlohmann::json::exception& ex) {
    return Status::Usage(std::string("wrong type: ") + ex.what());
  }
  return Status::Ok();
}

namespace {

// The export line of the row q is on, exactly as CacheEntryToJson(...).dump()
// writes it (the keys in the same order) without building the document:
// with a hundred thousand entries that building was most of the export.
void AppendExportLine(const Statement& q, std::string* line) {
  const auto text = [&](const char* key, int col) {
    AppendJsonKey(key, line);
    AppendJsonString(q.ColumnText(col), line);
    line->push_back(',');
  };
  const auto number = [&](const char* key, int64_t value, char after) {
    AppendJsonKey(key, line);
    line->append(std::to_string(value));
    line->push_back(after);
  };
  line->push_back('{');
  number("cost_nanos", q.ColumnInt(13), ',');
  AppendJsonKey("created", line);
  AppendJsonString(FormatIsoUtcMs(q.ColumnInt(2)), line);
  line->push_back(',');
  AppendJsonKey("expires", line);
  AppendJsonString(FormatIsoUtcMs(q.ColumnInt(3)), line);
  line->push_back(',');
  text("finish_reason", 7);
  text("key", 0);
  // Stored as nlohmann wrote it, so already in the form a dump would give;
  // checked, so a hand-edited row cannot break the line.
  const std::string key_input = q.ColumnText(1);
  AppendJsonKey("key_input", line);
  line->append(nlohmann::json::accept(key_input) ? key_input : "null");
  line->push_back(',');
  text("model", 5);
  text("price_source", 14);
  text("provider", 4);
  text("provider_finish_reason", 8);
  text("text", 6);
  AppendJsonKey("usage", line);
  line->push_back('{');
  number("cached_input_tokens", q.ColumnInt(11), ',');
  number("input_tokens", q.ColumnInt(9), ',');
  number("output_tokens", q.ColumnInt(10), ',');
  number("reasoning_tokens", q.ColumnInt(12), '}');
  line->append("}\n");
}

}  // namespace

Status ResponseCache::Export(std::ostream& out, int64_t* count) {
  Statement q(db_,
              std::string("SELECT ") + kColumns + " FROM cache_entries ORDER BY created_ms, key");
  *count = 0;
  std::string line;
  while (q.Step()) {
    line.clear();
    AppendExportLine(q, &line);
    out.write(line.data(), static_cast<std::streamsize>(line.size()));
    ++*count;
  }
  if (q.failed()) return q.Failure("reading the cache");
  return Status::Ok();
}

Status ReadCacheLines(std::istream& in, const std::string& name,
                      const std::function<Status(const CacheEntry&)>& store, int64_t* imported,
                      std::vector<std::string>* bad_lines) {
  std::string line;
  int64_t line_no = 0;
  *imported = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    CacheEntry e;
    Status parsed = j.is_discarded() ? Status::Usage("not valid JSON") : CacheEntryFromJson(j, &e);
    if (!parsed.ok()) {
      bad_lines->push_back(name + ":" + std::to_string(line_no) + ": " + parsed.message());
      continue;
    }
    Status st = store(e);
    if (!st.ok()) return st;
    ++*imported;
  }
  return Status::Ok();
}

Status ResponseCache::Import(std::istream& in, const std::string& name, int64_t* imported,
                             std::vector<std::string>* bad_lines) {
  Transaction tx(db_);
  if (!tx.status().ok()) return tx.status();
  Status st = ReadCacheLines(
      in, name, [this](const CacheEntry& e) { return Store(e); }, imported, bad_lines);
  if (!st.ok()) return st;
  return tx.Commit();
}

}  // namespace llmctl
