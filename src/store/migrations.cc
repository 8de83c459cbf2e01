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
};

}  // namespace

std::span<const Migration> AllMigrations() { return kMigrations; }

}  // namespace llmctl
