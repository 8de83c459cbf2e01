#include "records/record_fields.h"

#include <doctest/doctest.h>

#include <set>

#include "records/record_line_parser.h"
#include "records/record_store.h"
#include "records/test_records.h"
#include "store/database.h"

using namespace llmctl;

namespace {

CallRecord FullRecord() {
  CallRecord r;
  r.timestamp_ms = 1'790'000'000'123;
  r.request_id = "req-1";
  r.user_id = "ann";
  r.provider = "openai";
  r.model = "gpt-4o-mini";
  r.input_tokens = 11;
  r.output_tokens = 22;
  r.cached_input_tokens = 3;
  r.reasoning_tokens = 4;
  r.cost_nanos = 123'456;
  r.saved_cost_nanos = 0;
  r.price_source = "file";
  r.latency_ms = 12.3456789;
  r.ttft_ms = 1.5;
  r.finish_reason = "length";
  r.provider_finish_reason = "max_tokens";
  r.fallback_used = true;
  r.error = "cut";
  r.error_type = "truncated";
  r.prompt_hash = "sha256:ab";
  r.alert = "TRUNCATED_RESPONSE";
  r.run_id = "run";
  r.case_id = "case";
  r.state_backend = "redis";
  r.conversation = "conv";
  r.history_dropped = 2;
  r.replay_of = "req-0";
  return r;
}

}  // namespace

TEST_CASE("record fields: every scalar field survives JSON and the fast reader") {
  const CallRecord r = FullRecord();
  CallRecord back;
  REQUIRE(ParseRecordLine(r.ToJsonLine(), &back).ok());
  CHECK(back.ToJson() == r.ToJson());
  std::set<std::string> names;
  for (const RecordField& f : RecordFields()) CHECK(names.insert(f.name).second);
  const nlohmann::json j = r.ToJson();  // items() refers into it: keep it alive
  for (const auto& [key, value] : j.items())
    if (key != "attempts" && key != "tags" && key != "guard_findings") CHECK(names.count(key));
}

TEST_CASE("record fields: absent values are omitted, null, or NULL in their column") {
  CallRecord r;
  r.timestamp_ms = 1'790'000'000'000;
  const nlohmann::json j = r.ToJson();
  CHECK(!j.contains("alert"));
  CHECK(!j.contains("run_id"));
  CHECK(!j.contains("saved_cost_usd"));
  CHECK(j["error"].is_null());
  CHECK(j["ttft_ms"].is_null());
  r.cache_hit = true;
  CHECK(r.ToJson().contains("saved_cost_usd"));

  testing::ScratchDir dir;
  Database db;
  REQUIRE(db.Open(dir.File("t.db")).ok());
  REQUIRE(InsertCallRecord(db, r, r.ToJsonLine()).ok());
  Statement q(db, "SELECT run_id IS NULL, error_type IS NULL, ts_ms, cache_hit FROM calls");
  REQUIRE(q.Step());
  CHECK(q.ColumnInt(0) == 1);
  CHECK(q.ColumnInt(1) == 1);
  CHECK(q.ColumnInt(2) == r.timestamp_ms);
  CHECK(q.ColumnInt(3) == 1);
}
