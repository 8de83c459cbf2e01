#include "store/migrations.h"

namespace llmctl {
namespace {

// Queried columns are real columns (reports read them without parsing JSON);
// `record` keeps the exact JSON line so `logs` prints what was emitted.
constexpr Migration kMigrations[] = {
    {1, "call records", R"sql(
CREATE TABLE calls (
  id INTEGER PRIMARY KEY,
  request_id TEXT NOT NULL UNIQUE,
  ts_ms INTEGER NOT NULL,
  user_id TEXT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  cached_input_tokens INTEGER NOT NULL DEFAULT 0,
  reasoning_tokens INTEGER NOT NULL DEFAULT 0,
  cost_nanos INTEGER NOT NULL DEFAULT 0,
  saved_cost_nanos INTEGER NOT NULL DEFAULT 0,
  latency_ms REAL NOT NULL DEFAULT 0,
  ttft_ms REAL,
  finish_reason TEXT NOT NULL,
  cache_hit INTEGER NOT NULL DEFAULT 0,
  error_type TEXT,
  run_id TEXT,
  case_id TEXT,
  record TEXT NOT NULL
);
CREATE INDEX calls_ts ON calls(ts_ms);
CREATE INDEX calls_user_ts ON calls(user_id, ts_ms);
)sql"},
    {2, "rate-limit windows, spend counters and reservations", R"sql(
CREATE TABLE rate_windows (
  user_id TEXT NOT NULL,
  window_start INTEGER NOT NULL,
  tokens INTEGER NOT NULL DEFAULT 0,
  requests INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id, window_start)
) WITHOUT ROWID;
CREATE TABLE daily_spend (
  user_id TEXT NOT NULL,
  day TEXT NOT NULL,
  cost_nanos INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (day, user_id)
) WITHOUT ROWID;
CREATE TABLE reservations (
  id INTEGER PRIMARY KEY,
  user_id TEXT NOT NULL,
  window_start INTEGER NOT NULL,
  day TEXT NOT NULL,
  tokens INTEGER NOT NULL,
  requests INTEGER NOT NULL,
  cost_nanos INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL
);
CREATE INDEX reservations_user ON reservations(user_id, window_start);
CREATE INDEX reservations_day ON reservations(day);
)sql"},
    {3, "response cache", R"sql(
CREATE TABLE cache_entries (
  key TEXT PRIMARY KEY,
  key_input TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  text TEXT NOT NULL,
  finish_reason TEXT NOT NULL,
  provider_finish_reason TEXT NOT NULL,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cached_input_tokens INTEGER NOT NULL,
  reasoning_tokens INTEGER NOT NULL,
  cost_nanos INTEGER NOT NULL,
  price_source TEXT NOT NULL,
  hits INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX cache_expires ON cache_entries(expires_ms);
)sql"},
    {4, "circuit breakers", R"sql(
CREATE TABLE breakers (
  endpoint TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  open_until_ms INTEGER NOT NULL,
  probe_until_ms INTEGER NOT NULL
) WITHOUT ROWID;
)sql"},
    // Per-case eval outcomes, so `eval --compare` can diff two runs. Only
    // ids, statuses and assertion type names: never prompt or answer text.
    {5, "eval results", R"sql(
CREATE TABLE eval_results (
  run_id TEXT NOT NULL,
  case_id TEXT NOT NULL,
  repeat INTEGER NOT NULL,
  status TEXT NOT NULL,
  passed INTEGER NOT NULL,
  request_id TEXT,
  cost_nanos INTEGER NOT NULL DEFAULT 0,
  latency_ms REAL NOT NULL DEFAULT 0,
  ran INTEGER NOT NULL DEFAULT 0,
  failed_asserts TEXT NOT NULL DEFAULT '',
  suite TEXT NOT NULL,
  ts_ms INTEGER NOT NULL,
  PRIMARY KEY (run_id, case_id, repeat)
);
)sql"},
    {6, "cache hits are counted from call records", R"sql(
ALTER TABLE cache_entries DROP COLUMN hits;
)sql"},
    {7, "price source as a column, so reports count unknown-priced calls without parsing records",
     R"sql(
ALTER TABLE calls ADD COLUMN price_source TEXT;
UPDATE calls SET price_source = json_extract(record, '$.price_source');
)sql"},
    // Reports read a few numbers of every call in a time range. Read from
    // the table, each row drags its whole JSON record along; this index
    // holds just those numbers in time order, so a report reads a fraction
    // of the bytes and a --since range is a seek. The plain time index
    // stays: it also orders by id, which `logs -n` needs. The index by user
    // and time goes: without statistics SQLite walked it to save sorting a
    // GROUP BY user, fetching every row's record from the table. Cache hits
    // are few: a partial index lets `cache stats` count them without
    // visiting every call.
    {8, "indexes made for reports and cache statistics", R"sql(
CREATE INDEX calls_report ON calls(ts_ms, user_id, provider, model, input_tokens, output_tokens,
  cost_nanos, saved_cost_nanos, cache_hit, error_type, price_source, latency_ms, ttft_ms);
DROP INDEX calls_user_ts;
CREATE INDEX calls_cache_hits ON calls(saved_cost_nanos) WHERE cache_hit = 1;
)sql"},
    // The only tables that hold prompt text in the clear: conversations
    // exist only for calls that name one. Audit entries are ciphertext.
    {9, "conversations and the encrypted audit store", R"sql(
CREATE TABLE conversations (
  id INTEGER PRIMARY KEY,
  user_id TEXT NOT NULL,
  name TEXT NOT NULL,
  system TEXT NOT NULL DEFAULT '',
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  UNIQUE (user_id, name)
);
CREATE TABLE conversation_turns (
  conversation_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  request_id TEXT NOT NULL,
  model TEXT NOT NULL,
  ts_ms INTEGER NOT NULL,
  prompt TEXT NOT NULL,
  answer TEXT NOT NULL,
  PRIMARY KEY (conversation_id, seq)
) WITHOUT ROWID;
CREATE TABLE audit_entries (
  request_id TEXT PRIMARY KEY,
  created_ms INTEGER NOT NULL,
  nonce BLOB NOT NULL,
  ciphertext BLOB NOT NULL
);
CREATE INDEX audit_created ON audit_entries(created_ms);
)sql"},
    // Reports group and filter by tag; NULL for the (many) untagged calls
    // keeps the column free for them.
    {10, "call tags as a column, so reports group and filter by tag without parsing records", R"sql(
ALTER TABLE calls ADD COLUMN tags TEXT;
UPDATE calls SET tags = json_extract(record, '$.tags')
  WHERE record LIKE '%"tags":{"%' AND json_type(record, '$.tags') = 'object';
)sql"},
    // Daily counters are pruned after a week, so a month needs its own.
    // Seeded from the days still kept.
    {11, "monthly spend counters", R"sql(
CREATE TABLE monthly_spend (
  user_id TEXT NOT NULL,
  month TEXT NOT NULL,
  cost_nanos INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (month, user_id)
) WITHOUT ROWID;
INSERT INTO monthly_spend(user_id, month, cost_nanos)
  SELECT user_id, substr(day, 1, 7), SUM(cost_nanos) FROM daily_spend GROUP BY user_id, substr(day, 1, 7);
)sql"},
};

}  // namespace

std::span<const Migration> AllMigrations() { return kMigrations; }

}  // namespace llmctl
