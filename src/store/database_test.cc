#include "store/database.h"

#include <sqlite3.h>
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "store/migrations.h"

using namespace llmctl;

namespace {

// A fresh directory, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "llmctl-db-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

off_t FileSize(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

int64_t Count(Database& db, const std::string& table) {
  Statement q(db, "SELECT count(*) FROM " + table);
  REQUIRE(q.Step());
  return q.ColumnInt(0);
}

// One row written the way each released schema version stored it.
const std::map<int, const char*> kRowsByVersion = {
    {1,
     "INSERT INTO calls(request_id, ts_ms, user_id, provider, model, finish_reason, record) "
     "VALUES('r1', 1, 'u', 'openai', 'm', 'stop', '{}')"},
    {2, "INSERT INTO rate_windows VALUES('u', 0, 5, 1)"},
    {3,
     "INSERT INTO cache_entries(key, key_input, created_ms, expires_ms, provider, model, text, finish_reason,"
     " provider_finish_reason, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cost_nanos,"
     " price_source) VALUES('k', '{}', 1, 2, 'openai', 'm', 'answer', 'stop', 'stop', 1, 1, 0, 0, 0, 'builtin')"},
    {4, "INSERT INTO breakers VALUES('openai http://x', 1, 0, 0)"},
    {5,
     "INSERT INTO eval_results(run_id, case_id, repeat, status, passed, suite, ts_ms) "
     "VALUES('run', 'c', 1, 'passed', 1, 's', 1)"},
};
const std::map<int, const char*> kTableByVersion = {
    {1, "calls"}, {2, "rate_windows"}, {3, "cache_entries"}, {4, "breakers"}, {5, "eval_results"}};

// A file as an llmctl of schema version `version` left it, built from the
// migration list itself with SQLite directly.
void WriteOldDatabase(const std::string& path, int version) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  auto exec = [&](const std::string& sql) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    INFO(sql << ": " << (err ? err : ""));
    sqlite3_free(err);
    REQUIRE(rc == SQLITE_OK);
  };
  exec("PRAGMA journal_mode=WAL");
  exec(
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
  for (const Migration& m : AllMigrations()) {
    if (m.version > version) break;
    exec(m.sql);
    exec("INSERT INTO schema_migrations VALUES(" + std::to_string(m.version) + ", 'old', 'then')");
    if (auto row = kRowsByVersion.find(m.version); row != kRowsByVersion.end()) exec(row->second);
  }
  sqlite3_close(db);
}

}  // namespace

// A closing call must not pay a checkpoint's flushes; the next process
// reads what the WAL holds. In full durability SQLite's own close applies.
TEST_CASE("normal durability leaves the WAL to the next process; full checkpoints on close") {
  TempDir dir;
  const std::string path = dir.File("wal.db");
  {
    Database writer;
    REQUIRE(writer.Open(path).ok());
    REQUIRE(writer.Exec("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2), (3)").ok());
  }
  CHECK(FileSize(path + "-wal") > 0);
  {
    Database reopened;
    REQUIRE(reopened.Open(path).ok());
    CHECK(Count(reopened, "t") == 3);
  }
  {
    Database strict;
    REQUIRE(strict.Open(path, {.durability = Durability::kFull}).ok());
    REQUIRE(strict.Exec("INSERT INTO t VALUES (4)").ok());
  }
  CHECK(FileSize(path + "-wal") == 0);
  Database last;
  REQUIRE(last.Open(path).ok());
  CHECK(Count(last, "t") == 4);
}

TEST_CASE("a database written by every earlier schema version opens with its rows intact") {
  const int latest = AllMigrations().back().version;
  for (int version = 1; version < latest; ++version) {
    CAPTURE(version);
    TempDir dir;
    const std::string path = dir.File("old.db");
    WriteOldDatabase(path, version);
    Database db;
    Status st = db.Open(path);
    INFO(st.message());
    REQUIRE(st.ok());
    int now = 0;
    REQUIRE(db.SchemaVersion(&now).ok());
    CHECK(now == latest);
    for (const auto& entry : kTableByVersion) {
      const auto& table = entry.second;  // named, since CHECK_MESSAGE captures it in a lambda
      CHECK_MESSAGE(Count(db, table) == (entry.first <= version ? 1 : 0), table);
    }
  }
}

TEST_CASE("a database of a newer schema is refused, not downgraded or misread") {
  TempDir dir;
  const std::string path = dir.File("new.db");
  WriteOldDatabase(path, AllMigrations().back().version);
  {
    Database db;
    REQUIRE(db.Open(path).ok());
    REQUIRE(db.Exec("INSERT INTO schema_migrations VALUES(999, 'future', 'later')").ok());
  }
  Database writer;
  Status st = writer.Open(path);
  CHECK(st.code() == StatusCode::kConfig);
  CHECK(st.message().find("newer than this llmctl knows") != std::string::npos);
  Database reader;
  CHECK(reader.OpenForReading(path).code() == StatusCode::kConfig);
}

TEST_CASE("a transaction rolls back unless committed, and a nested one joins the outer") {
  TempDir dir;
  Database db;
  REQUIRE(db.Open(dir.File("tx.db")).ok());
  REQUIRE(db.Exec("CREATE TABLE t(x)").ok());
  {
    Transaction tx(db);
    REQUIRE(tx.status().ok());
    REQUIRE(db.Exec("INSERT INTO t VALUES (1)").ok());
  }
  CHECK(Count(db, "t") == 0);
  CHECK_FALSE(db.InTransaction());
  {
    Transaction outer(db);
    {
      Transaction inner(db);
      REQUIRE(db.Exec("INSERT INTO t VALUES (2)").ok());
      CHECK(inner.Commit().ok());
    }
    CHECK(db.InTransaction());  // the inner one did not end it
    CHECK(outer.Commit().ok());
  }
  CHECK(Count(db, "t") == 1);
}

TEST_CASE("threads sharing one Database take turns: no transaction joins another's") {
  TempDir dir;
  Database db;
  REQUIRE(db.Open(dir.File("shared.db")).ok());
  REQUIRE(db.Exec("CREATE TABLE t(thread INTEGER, n INTEGER)").ok());
  constexpr int kThreads = 8, kEach = 200;
  std::atomic<int> failures{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < kThreads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        Transaction tx(db);
        Statement ins(db, "INSERT INTO t VALUES (?, ?)");
        ins.Bind(1, static_cast<int64_t>(t)).Bind(2, static_cast<int64_t>(i));
        ins.Step();
        // Every other transaction is rolled back: were another thread's
        // statements to land in it, its rows would vanish too.
        const bool keep = i % 2 == 0;
        if (ins.failed() || !tx.status().ok() || (keep && !tx.Commit().ok())) ++failures;
      }
    });
  }
  for (std::thread& t : pool) t.join();
  CHECK(failures == 0);
  CHECK(Count(db, "t") == kThreads * kEach / 2);
  Statement odd(db, "SELECT count(*) FROM t WHERE n % 2 = 1");
  REQUIRE(odd.Step());
  CHECK(odd.ColumnInt(0) == 0);
}

TEST_CASE("a statement made again reuses the prepared one, reset and unbound") {
  TempDir dir;
  Database db;
  REQUIRE(db.Open(dir.File("reuse.db")).ok());
  REQUIRE(db.Exec("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2), (3)").ok());
  const char* sql = "SELECT x FROM t WHERE x >= ? ORDER BY x";
  {
    Statement first(db, sql);
    first.Bind(1, int64_t{2});
    REQUIRE(first.Step());
    CHECK(first.ColumnInt(0) == 2);  // left mid-way, one row unread
  }
  {
    Statement again(db, sql);
    CHECK_FALSE(again.Step());  // unbound: x >= NULL matches nothing
    CHECK_FALSE(again.failed());
  }
  Statement rebound(db, sql);
  rebound.Bind(1, int64_t{1});
  int rows = 0;
  while (rebound.Step()) ++rows;
  CHECK(rows == 3);
  // The statement left mid-way holds no read: the WAL can be checkpointed in full.
  Statement checkpoint(db, "PRAGMA wal_checkpoint(TRUNCATE)");
  REQUIRE(checkpoint.Step());
  CHECK(checkpoint.ColumnInt(0) == 0);  // not blocked
}

TEST_CASE(
    "a lock held too long: one wait for the whole call, then a configuration error naming the variable") {
  TempDir dir;
  const std::string path = dir.File("busy.db");
  Database holder;
  REQUIRE(holder.Open(path).ok());
  Transaction held(holder);
  REQUIRE(held.status().ok());

  Database waiter;
  REQUIRE(waiter.Open(path, {.busy_timeout_ms = 200}).ok());
  const auto start = std::chrono::steady_clock::now();
  Transaction first(waiter);
  CHECK(first.status().code() == StatusCode::kConfig);
  CHECK(first.status().message().find("LLMCTL_DB_BUSY_TIMEOUT_MS") != std::string::npos);
  // The budget is spent: the next statement of the same call waits no more.
  Transaction second(waiter);
  CHECK(second.status().code() == StatusCode::kConfig);
  const auto waited = std::chrono::steady_clock::now() - start;
  CHECK(waited >= std::chrono::milliseconds(200));
  CHECK(waited < std::chrono::milliseconds(2000));
  // A new call starts a new wait.
  waiter.ResetWaitBudget();
  Transaction third(waiter);
  CHECK(third.status().code() == StatusCode::kConfig);
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(400));
}

TEST_CASE("a file that is not a database is a configuration error with the way out") {
  TempDir dir;
  const std::string path = dir.File("garbage.db");
  std::ofstream(path) << std::string(8192, 'x');
  Database db;
  Status st = db.Open(path);
  CHECK(st.code() == StatusCode::kConfig);
  CHECK(st.message().find(".recover") != std::string::npos);
}

TEST_CASE("a symbolic link is refused and a loose mode is tightened") {
  TempDir dir;
  const std::string path = dir.File("real.db");
  {
    Database db;
    REQUIRE(db.Open(path).ok());
  }
  REQUIRE(symlink(path.c_str(), dir.File("link.db").c_str()) == 0);
  Database via_link;
  CHECK(via_link.Open(dir.File("link.db")).code() == StatusCode::kConfig);
  Database reading_via_link;
  CHECK(reading_via_link.OpenForReading(dir.File("link.db")).code() == StatusCode::kConfig);

  REQUIRE(chmod(path.c_str(), 0644) == 0);
  Database db;
  REQUIRE(db.Open(path).ok());
  struct stat st;
  REQUIRE(stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("reading a missing database creates nothing and reads as empty") {
  TempDir dir;
  const std::string path = dir.File("sub/none.db");
  Database db;
  bool exists = true;
  REQUIRE(db.OpenForReading(path, {}, &exists).ok());
  CHECK_FALSE(exists);
  CHECK(Count(db, "calls") == 0);
  CHECK_FALSE(std::filesystem::exists(dir.File("sub")));
}

TEST_CASE("a reader upgrades an older writable file before reading it") {
  TempDir dir;
  const std::string path = dir.File("old.db");
  WriteOldDatabase(path, 1);
  Database db;
  REQUIRE(db.OpenForReading(path).ok());
  int version = 0;
  REQUIRE(db.SchemaVersion(&version).ok());
  CHECK(version == AllMigrations().back().version);
  CHECK(Count(db, "calls") == 1);
}

namespace {

// What a schema is, apart from where its pages lie.
std::string SchemaText(Database& db) {
  std::string out;
  Statement q(db,
              "SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM sqlite_master "
              "ORDER BY type, name");
  while (q.Step()) out += q.ColumnText(0) + "\n";
  Statement m(db, "SELECT version || ' ' || name FROM schema_migrations ORDER BY version");
  while (m.Step()) out += m.ColumnText(0) + "\n";
  return out;
}

std::string One(Database& db, const std::string& sql) {
  Statement q(db, sql);
  REQUIRE(q.Step());
  return q.ColumnText(0);
}

}  // namespace

TEST_CASE("a new file is written from the schema image, the same as migrating an empty file") {
  TempDir dir;
  Database born;
  REQUIRE(born.Open(dir.File("born.db")).ok());
  // An empty file, as another program or an older llmctl leaves it, is
  // brought up to date by the migrations one by one.
  { std::ofstream(dir.File("migrated.db")).flush(); }
  Database migrated;
  REQUIRE(migrated.Open(dir.File("migrated.db")).ok());

  CHECK(SchemaText(born) == SchemaText(migrated));
  int version = 0;
  REQUIRE(born.SchemaVersion(&version).ok());
  CHECK(version == AllMigrations().back().version);
  CHECK(One(born, "PRAGMA journal_mode") == "wal");
  CHECK(One(born, "PRAGMA integrity_check") == "ok");
  CHECK(One(born, "PRAGMA page_size") == One(migrated, "PRAGMA page_size"));
  // Every migration is stamped with the moment the file was made, not left
  // empty as the image carries it.
  CHECK(One(born, "SELECT count(*) FROM schema_migrations WHERE applied_at LIKE '20__-__-__T%Z'") ==
        std::to_string(AllMigrations().size()));
  struct stat st;
  REQUIRE(stat(dir.File("born.db").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("a missing file reads as the schema image, and nothing is created") {
  TempDir dir;
  Database db;
  bool exists = true;
  REQUIRE(db.OpenForReading(dir.File("absent.db"), {}, &exists).ok());
  CHECK_FALSE(exists);
  CHECK(Count(db, "calls") == 0);
  Database born;
  REQUIRE(born.Open(dir.File("born.db")).ok());
  CHECK(SchemaText(db).find("schema_migrations") != std::string::npos);
  CHECK(SchemaText(db) == SchemaText(born));
  CHECK(FileSize(dir.File("absent.db")) == -1);
}

TEST_CASE("connections racing to open one new file all use it, and its schema is stamped once") {
  for (int round = 0; round < 8; ++round) {
    TempDir dir;
    const std::string path = dir.File("race.db");
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t)
      threads.emplace_back([&, t] {
        Database db;
        Status s = db.Open(path);
        if (s.ok())
          s = db.Exec("INSERT INTO rate_windows VALUES('u', " + std::to_string(t) + ", 1, 1)");
        if (!s.ok()) ++failures;
      });
    for (auto& th : threads) th.join();
    CHECK(failures == 0);
    Database db;
    REQUIRE(db.Open(path).ok());
    CHECK(Count(db, "rate_windows") == 6);
    CHECK(One(db, "SELECT count(*) FROM schema_migrations WHERE applied_at = ''") == "0");
    CHECK(One(db, "PRAGMA integrity_check") == "ok");
  }
}
