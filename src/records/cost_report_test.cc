#include "records/cost_report.h"

#include <sstream>

#include <doctest/doctest.h>

#include "records/cost_report_format.h"
#include "records/record_source.h"
#include "records/test_records.h"

namespace llmctl {
namespace {

using testing::Insert;
using testing::MakeRecord;
using testing::ScratchDir;

std::vector<CallRecord> Fixture() {
  std::vector<CallRecord> v = {
      MakeRecord("2026-11-01T09:00:00.000Z", "alice", "openai", "gpt-4o-mini", 100'000'000),
      MakeRecord("2026-11-01T09:30:00.000Z", "alice", "openai", "gpt-4o-mini", 200'000'000),
      MakeRecord("2026-11-01T10:00:00.000Z", "alice", "anthropic", "claude-haiku-4-5", 1),
      MakeRecord("2026-11-02T00:00:00.000Z", "bob", "openai", "gpt-4o-mini", 333'333'333),
      MakeRecord("2026-11-03T23:59:59.999Z", "bob", "anthropic", "claude-haiku-4-5", 5),
  };
  v[2].cache_hit = true;
  v[2].saved_cost_nanos = 7'000'000;
  v[4].error_type = "timeout";
  v[4].error = "timed out";
  return v;
}

// Both sources of a report, over the same records.
struct Sources {
  ScratchDir dir;
  Database db;
  std::string jsonl;
  Sources() {
    REQUIRE(db.Open(dir.File("llmctl.db")).ok());
    std::string text;
    for (const CallRecord& r : Fixture()) {
      Insert(db, r);
      text += r.ToJsonLine() + "\n";
    }
    jsonl = dir.Write("calls.jsonl", text);
  }
  CostReport FromDb(const RecordFilter& f, std::vector<GroupBy> by) {
    CostReport r;
    REQUIRE(CostReportFromDatabase(db, f, by, &r).ok());
    return r;
  }
  CostReport FromJsonl(const RecordFilter& f, std::vector<GroupBy> by) {
    CostAggregator agg(by);
    REQUIRE(ReadJsonlRecords({jsonl}, true, [&](const CallRecord& r) {
              if (f.Matches(r)) agg.Add(r);
            }).ok());
    return agg.Finish();
  }
};

void CheckSame(const CostReport& a, const CostReport& b) {
  REQUIRE(a.rows.size() == b.rows.size());
  for (size_t i = 0; i < a.rows.size(); ++i) {
    CHECK(a.rows[i].keys == b.rows[i].keys);
    CHECK(a.rows[i].totals.calls == b.rows[i].totals.calls);
    CHECK(a.rows[i].totals.cost_nanos == b.rows[i].totals.cost_nanos);
    CHECK(a.rows[i].totals.saved_nanos == b.rows[i].totals.saved_nanos);
    CHECK(a.rows[i].totals.cache_hits == b.rows[i].totals.cache_hits);
    CHECK(a.rows[i].totals.errors == b.rows[i].totals.errors);
  }
  CHECK(a.total.calls == b.total.calls);
  CHECK(a.total.input_tokens == b.total.input_tokens);
  CHECK(a.total.output_tokens == b.total.output_tokens);
  CHECK(a.total.cost_nanos == b.total.cost_nanos);
}

}  // namespace

TEST_CASE("cost report: totals equal the sum of the records to the nano-dollar") {
  Sources s;
  for (bool db : {true, false}) {
    CostReport r = db ? s.FromDb({}, {}) : s.FromJsonl({}, {});
    CHECK(r.rows.empty());
    CHECK(r.total.calls == 5);
    CHECK(r.total.cost_nanos == 633'333'339);
    CHECK(r.total.saved_nanos == 7'000'000);
    CHECK(r.total.cache_hits == 1);
    CHECK(r.total.errors == 1);
    CHECK(r.total.input_tokens == 500);
    CHECK(r.total.output_tokens == 50);
  }
}

TEST_CASE("cost report: nested grouping keeps the order given") {
  Sources s;
  CostReport r = s.FromDb({}, {GroupBy::kUser, GroupBy::kModel});
  REQUIRE(r.rows.size() == 4);
  CHECK(r.rows[0].keys == std::vector<std::string>{"alice", "claude-haiku-4-5"});
  CHECK(r.rows[1].keys == std::vector<std::string>{"alice", "gpt-4o-mini"});
  CHECK(r.rows[1].totals.calls == 2);
  CHECK(r.rows[1].totals.cost_nanos == 300'000'000);
  CHECK(r.rows[3].keys == std::vector<std::string>{"bob", "gpt-4o-mini"});
  CheckSame(r, s.FromJsonl({}, {GroupBy::kUser, GroupBy::kModel}));

  CostReport m = s.FromDb({}, {GroupBy::kModel, GroupBy::kUser});
  CHECK(m.rows[0].keys == std::vector<std::string>{"claude-haiku-4-5", "alice"});
  CheckSame(m, s.FromJsonl({}, {GroupBy::kModel, GroupBy::kUser}));
}

TEST_CASE("cost report: day and hour groups are UTC") {
  Sources s;
  CostReport d = s.FromDb({}, {GroupBy::kDay});
  REQUIRE(d.rows.size() == 3);
  CHECK(d.rows[0].keys[0] == "2026-11-01");
  CHECK(d.rows[0].totals.calls == 3);
  CHECK(d.rows[2].keys[0] == "2026-11-03");
  CheckSame(d, s.FromJsonl({}, {GroupBy::kDay}));

  CostReport h = s.FromDb({}, {GroupBy::kHour, GroupBy::kProvider});
  REQUIRE(h.rows.size() == 4);
  CHECK(h.rows[0].keys == std::vector<std::string>{"2026-11-01T09:00Z", "openai"});
  CHECK(h.rows[0].totals.calls == 2);
  CHECK(h.rows[3].keys == std::vector<std::string>{"2026-11-03T23:00Z", "anthropic"});
  CheckSame(h, s.FromJsonl({}, {GroupBy::kHour, GroupBy::kProvider}));
}

TEST_CASE("cost report: time range and field filters") {
  Sources s;
  RecordFilter f;
  const int64_t now = *ParseIsoUtc("2026-11-04T00:00:00Z");
  REQUIRE(ParseTimeRange("2026-11-01T09:30", "2026-11-02", now, &f).ok());
  CostReport r = s.FromDb(f, {});
  CHECK(r.total.calls == 2);  // since is inclusive, until exclusive
  CHECK(r.total.cost_nanos == 200'000'001);
  CheckSame(r, s.FromJsonl(f, {}));

  RecordFilter recent;
  REQUIRE(ParseTimeRange("2d", "", now, &recent).ok());  // from 2026-11-02T00:00
  CHECK(s.FromDb(recent, {}).total.calls == 2);
  CheckSame(s.FromDb(recent, {}), s.FromJsonl(recent, {}));

  RecordFilter bob;
  bob.user = "bob";
  bob.provider = "anthropic";
  CHECK(s.FromDb(bob, {}).total.calls == 1);
  CHECK(s.FromJsonl(bob, {}).total.cost_nanos == 5);

  RecordFilter model;
  model.model = "gpt-4o-mini";
  CHECK(s.FromDb(model, {GroupBy::kUser}).rows.size() == 2);

  RecordFilter bad;
  CHECK(ParseTimeRange("last tuesday", "", now, &bad).code() == StatusCode::kUsage);
}

TEST_CASE("cost report: empty database gives a zero total row") {
  ScratchDir dir;
  Database db;
  REQUIRE(db.Open(dir.File("empty.db")).ok());
  CostReport r;
  REQUIRE(CostReportFromDatabase(db, {}, {GroupBy::kUser}, &r).ok());
  CHECK(r.rows.empty());
  CHECK(r.total.calls == 0);
  std::ostringstream out;
  WriteCostReport(r, "csv", out, false);
  CHECK(out.str() ==
        "row_type,user,calls,input_tokens,output_tokens,cache_hits,errors,cost_usd,saved_cost_usd,"
        "unknown_price_calls,unknown_price_cost_usd\n"
        "total,,0,0,0,0,0,0,0,0,0\n");
}

TEST_CASE("cost report: JSON money is exact and the table aligned") {
  CostAggregator agg({GroupBy::kUser});
  CallRecord a = MakeRecord("2026-11-01T00:00:00Z", "a", "openai", "m", UsdToNanos(0.1));
  CallRecord b = MakeRecord("2026-11-01T00:00:01Z", "a,\"quoted\"", "openai", "m", UsdToNanos(0.2));
  agg.Add(a);
  agg.Add(b);
  agg.Add(a);
  CostReport r = agg.Finish();
  std::ostringstream json;
  WriteCostReport(r, "json", json, false);
  auto parsed = nlohmann::json::parse(json.str());
  CHECK(parsed["total"]["calls"] == 3);
  CHECK(json.str().find("\"cost_usd\": 0.4,") != std::string::npos);
  CHECK(parsed["groups"][1]["user"] == "a,\"quoted\"");

  std::ostringstream csv;
  WriteCostReport(r, "csv", csv, false);
  CHECK(csv.str().find("group,\"a,\"\"quoted\"\"\",1,") != std::string::npos);

  std::ostringstream table;
  WriteCostReport(r, "table", table, false);
  std::istringstream lines(table.str());
  std::string line;
  std::vector<size_t> ends;
  while (std::getline(lines, line)) ends.push_back(line.size());
  REQUIRE(ends.size() == 4);                  // header, two users, total
  for (size_t e : ends) CHECK(e == ends[0]);  // right-aligned last column
  CHECK(table.str().find("\x1b[") == std::string::npos);
}

TEST_CASE("cost report: out-of-domain historic rows are left out, never overflow") {
  ScratchDir dir;
  Database db;
  REQUIRE(db.Open(dir.File("llmctl.db")).ok());
  CallRecord good = MakeRecord("2026-11-01T09:00:00.000Z", "alice", "openai", "gpt-4o-mini", 100);
  Insert(db, good);
  // What older versions stored from forged usage: 2^64-1 wrapped to -1, 1e300
  // saturated, -1e9 tokens.
  for (int64_t v : {int64_t{-1}, INT64_MAX, INT64_MAX - 1, int64_t{-1'000'000'000}}) {
    CallRecord bad = MakeRecord("2026-11-01T09:00:00.000Z", "alice", "openai", "gpt-4o-mini", v);
    bad.input_tokens = v;
    bad.output_tokens = v;
    bad.saved_cost_nanos = v;
    Insert(db, bad);
  }
  CostReport r;
  REQUIRE(CostReportFromDatabase(db, {}, {GroupBy::kUser}, &r).ok());
  CHECK(r.total.calls == 5);
  CHECK(r.total.cost_nanos == 100);
  CHECK(r.total.input_tokens == 100);
  CHECK(r.total.output_tokens == 10);
  CHECK(r.total.saved_nanos == 0);

  CostAggregator agg(std::vector<GroupBy>{});
  CallRecord huge = good;
  huge.cost_nanos = INT64_MAX;
  agg.Add(huge);
  agg.Add(good);
  CHECK(agg.Finish().total.cost_nanos == 100);
  CostTotals sum;
  CostTotals big;
  big.cost_nanos = INT64_MAX;
  sum.Add(big);
  sum.Add(big);
  CHECK(sum.cost_nanos == INT64_MAX);
}

// Reports must read the narrow index, never the table with its JSON
// records, and a --since range must be a seek in it, whatever the grouping.
TEST_CASE("cost report: the planner reads the report index, seeking to --since") {
  ScratchDir dir;
  Database db;
  REQUIRE(db.Open(dir.File("plan.db")).ok());
  RecordFilter since;
  since.since_ms = 1'700'000'000'000;
  RecordFilter since_user = since;
  since_user.user = "alice";
  const std::vector<std::vector<GroupBy>> groupings = {
      {}, {GroupBy::kUser}, {GroupBy::kModel}, {GroupBy::kDay, GroupBy::kProvider}};
  for (const RecordFilter& filter : {RecordFilter{}, since, since_user}) {
    for (const auto& by : groupings) {
      Statement plan(db, "EXPLAIN QUERY PLAN " + CostReportSql(filter, by));
      REQUIRE(plan.ok());
      filter.BindSql(&plan);
      std::string detail;
      while (plan.Step()) detail += plan.ColumnText(3) + "\n";
      INFO(detail);
      CHECK(detail.find("COVERING INDEX calls_report") != std::string::npos);
      if (filter.since_ms) CHECK(detail.find("ts_ms>?") != std::string::npos);
    }
  }
}

}  // namespace llmctl

namespace llmctl {
namespace {

TEST_CASE("cost-report groups and filters by tag, the same from the database and from JSONL") {
  ScratchDir dir;
  Database db;
  REQUIRE(db.Open(dir.File("tags.db")).ok());
  std::string text;
  std::vector<CallRecord> records = Fixture();
  records[0].tags = {{"ci_job", "4711"}, {"team", "search"}};
  records[1].tags = {{"ci_job", "4711"}};
  records[3].tags = {{"ci_job", "4712"}, {"team", "search"}};
  for (const CallRecord& r : records) {
    Insert(db, r);
    text += r.ToJsonLine() + "\n";
  }
  const std::string jsonl = dir.Write("tags.jsonl", text);
  auto from_db = [&](const RecordFilter& f, std::vector<GroupBy> by) {
    CostReport r;
    REQUIRE(CostReportFromDatabase(db, f, by, &r).ok());
    return r;
  };
  auto from_jsonl = [&](const RecordFilter& f, std::vector<GroupBy> by) {
    CostAggregator agg(by);
    REQUIRE(ReadJsonlRecords({jsonl}, true, [&](const CallRecord& r) {
              if (f.Matches(r)) agg.Add(r);
            }).ok());
    return agg.Finish();
  };
  GroupBy by_job;
  REQUIRE(ParseGroupBy("tag:ci_job", &by_job).ok());
  CHECK(GroupByName(by_job) == "tag:ci_job");
  CostReport r = from_db({}, {by_job});
  REQUIRE(r.rows.size() == 3);
  CHECK(r.rows[0].keys[0] == "");  // the untagged calls
  CHECK(r.rows[0].totals.calls == 2);
  CHECK(r.rows[1].keys[0] == "4711");
  CHECK(r.rows[1].totals.cost_nanos == 300'000'000);
  CHECK(r.rows[2].keys[0] == "4712");
  CheckSame(r, from_jsonl({}, {by_job}));

  RecordFilter search;
  search.tags = {{"team", "search"}};
  CostReport f = from_db(search, {});
  CHECK(f.total.calls == 2);
  CHECK(f.total.cost_nanos == 433'333'333);
  CheckSame(f, from_jsonl(search, {}));
  CheckSame(from_db(search, {by_job, GroupBy::kUser}),
            from_jsonl(search, {by_job, GroupBy::kUser}));
  search.tags.push_back({"ci_job", "4711"});
  CHECK(from_db(search, {}).total.calls == 1);
  CHECK(from_jsonl(search, {}).total.calls == 1);

  GroupBy bad;
  CHECK(ParseGroupBy("tag:", &bad).code() == StatusCode::kUsage);
  CHECK(ParseGroupBy("tag:a b", &bad).code() == StatusCode::kUsage);
}

}  // namespace
}  // namespace llmctl
