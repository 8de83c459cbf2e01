#include "records/record_export.h"

#include <doctest/doctest.h>

#include "records/test_records.h"

namespace llmctl {
namespace {

using testing::Insert;
using testing::MakeRecord;
using testing::ScratchDir;

struct Exported {
  std::vector<std::string> lines;
  LineSink sink() {
    return [this](const std::string& l) { lines.push_back(l); };
  }
};

}  // namespace

TEST_CASE("logs export: exact lines oldest first, filters, last N") {
  ScratchDir dir;
  Database db;
  REQUIRE(db.Open(dir.File("llmctl.db")).ok());
  CallRecord late = MakeRecord("2026-11-03T00:00:00.000Z", "alice", "openai", "gpt", 3);
  CallRecord early = MakeRecord("2026-11-01T00:00:00.000Z", "bob", "openai", "gpt", 1);
  CallRecord mid = MakeRecord("2026-11-02T00:00:00.000Z", "alice", "anthropic", "claude", 2);
  for (const CallRecord* r : {&late, &early, &mid}) Insert(db, *r);

  Exported all;
  int64_t max_id = 0;
  REQUIRE(ExportRecords(db, {}, 0, all.sink(), &max_id).ok());
  CHECK(all.lines ==
        std::vector<std::string>{early.ToJsonLine(), mid.ToJsonLine(), late.ToJsonLine()});
  CHECK(max_id == 3);

  Exported last2;
  REQUIRE(ExportRecords(db, {}, 2, last2.sink(), &max_id).ok());
  CHECK(last2.lines == std::vector<std::string>{mid.ToJsonLine(), late.ToJsonLine()});

  RecordFilter alice;
  alice.user = "alice";
  alice.model = "claude";
  Exported a;
  REQUIRE(ExportRecords(db, alice, 0, a.sink(), &max_id).ok());
  CHECK(a.lines == std::vector<std::string>{mid.ToJsonLine()});

  RecordFilter by_id;
  by_id.request_id = early.request_id;
  RecordFilter window;
  window.since_ms = *ParseIsoUtc("2026-11-02");
  window.until_ms = *ParseIsoUtc("2026-11-03");
  Exported e, w;
  REQUIRE(ExportRecords(db, by_id, 0, e.sink(), &max_id).ok());
  REQUIRE(ExportRecords(db, window, 0, w.sink(), &max_id).ok());
  CHECK(e.lines == std::vector<std::string>{early.ToJsonLine()});
  CHECK(w.lines == std::vector<std::string>{mid.ToJsonLine()});
}

TEST_CASE("logs export: following continues after the last id seen") {
  ScratchDir dir;
  Database db;
  REQUIRE(db.Open(dir.File("llmctl.db")).ok());
  Insert(db, MakeRecord("2026-11-01T00:00:00.000Z", "a", "openai", "gpt", 1));
  Exported first;
  int64_t max_id = 0;
  REQUIRE(ExportRecords(db, {}, 0, first.sink(), &max_id).ok());
  CHECK(first.lines.size() == 1);

  Exported none;
  REQUIRE(ExportRecordsAfter(db, {}, max_id, none.sink(), &max_id).ok());
  CHECK(none.lines.empty());

  CallRecord skipped = MakeRecord("2026-11-01T00:00:01.000Z", "other", "openai", "gpt", 1);
  CallRecord wanted = MakeRecord("2026-11-01T00:00:02.000Z", "a", "openai", "gpt", 1);
  Insert(db, skipped);
  Insert(db, wanted);
  RecordFilter only_a;
  only_a.user = "a";
  Exported next;
  REQUIRE(ExportRecordsAfter(db, only_a, max_id, next.sink(), &max_id).ok());
  CHECK(next.lines == std::vector<std::string>{wanted.ToJsonLine()});
  CHECK(max_id == 3);
}

TEST_CASE("logs prune: deletes older records and counts them") {
  ScratchDir dir;
  Database db;
  REQUIRE(db.Open(dir.File("llmctl.db")).ok());
  Insert(db, MakeRecord("2026-01-01T00:00:00.000Z", "a", "openai", "gpt", 1));
  Insert(db, MakeRecord("2026-02-01T00:00:00.000Z", "a", "openai", "gpt", 1));
  Insert(db, MakeRecord("2026-06-01T00:00:00.000Z", "a", "openai", "gpt", 1));
  int64_t deleted = 0;
  REQUIRE(PruneRecords(db, *ParseIsoUtc("2026-03-01"), &deleted).ok());
  CHECK(deleted == 2);
  Exported left;
  int64_t max_id = 0;
  REQUIRE(ExportRecords(db, {}, 0, left.sink(), &max_id).ok());
  CHECK(left.lines.size() == 1);
}

}  // namespace llmctl
