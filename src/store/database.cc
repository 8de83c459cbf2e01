#include "store/database.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <random>
#include <thread>

#include "store/migrations.h"

namespace llmctl {
namespace {

constexpr int kBusyTimeoutMs = 30'000;

// Creates every missing directory of path with mode 0700.
Status MakeDirs(const std::string& dir) {
  if (dir.empty()) return Status::Ok();
  struct stat st;
  if (stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::Ok();
    return Status::Config("database directory " + dir + " exists but is not a directory");
  }
  auto slash = dir.find_last_of('/');
  if (slash != std::string::npos && slash > 0) {
    Status s = MakeDirs(dir.substr(0, slash));
    if (!s.ok()) return s;
  }
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return Status::Config("cannot create directory " + dir + ": " + std::strerror(errno) +
                          " (set LLMCTL_DB to a writable path)");
  return Status::Ok();
}

// SQLite's own busy handler sleeps in steps growing to 100 ms: with dozens
// of processes queueing for a write lock held a fraction of a millisecond,
// that leaves the lock idle most of the time. Poll briefly instead, with
// jitter so the waiters do not wake in step.
int OnBusy(void* start_ns, int attempt) {
  using namespace std::chrono;
  const auto start = steady_clock::time_point(nanoseconds(*static_cast<int64_t*>(start_ns)));
  if (attempt == 0) *static_cast<int64_t*>(start_ns) = steady_clock::now().time_since_epoch().count();
  else if (steady_clock::now() - start > milliseconds(kBusyTimeoutMs)) return 0;
  thread_local std::minstd_rand rng(std::random_device{}());
  const int max_us = std::min(50 + attempt * 50, 1000);
  std::this_thread::sleep_for(microseconds(25 + static_cast<int>(rng() % static_cast<unsigned>(max_us))));
  return 1;
}

}  // namespace

std::string DefaultDatabasePath() {
  const char* state = std::getenv("XDG_STATE_HOME");
  if (state && *state) return std::string(state) + "/llmctl/llmctl.db";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.local/state/llmctl/llmctl.db";
}

Database::~Database() {
  if (db_) sqlite3_close_v2(db_);
}

std::string Database::LastError() const { return db_ ? sqlite3_errmsg(db_) : "not open"; }

Status Database::Open(const std::string& path) {
  path_ = path;
  auto slash = path.find_last_of('/');
  if (slash != std::string::npos && slash > 0) {
    Status s = MakeDirs(path.substr(0, slash));
    if (!s.ok()) return s;
  }
  // Create the file ourselves so it is born 0600; SQLite gives the -wal and
  // -shm files the same mode.
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return Status::Config("cannot open database " + path + ": " + std::strerror(errno) +
                          " (set LLMCTL_DB to a writable path)");
  ::close(fd);
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK)
    return Status::Config("cannot open database " + path + ": " + LastError());
  sqlite3_busy_handler(db_, OnBusy, &busy_start_ns_);

  // A process lives for one call, so per-process costs matter. The first
  // process to open the file after all others closed it must rebuild the
  // WAL index by checksumming every frame of the WAL (a millisecond for a
  // thousand frames, paid on every call of a shell loop), so the last one
  // out checkpoints and truncates the WAL to nothing; the file itself is
  // kept so it is not created and deleted per call. SQLite truncates a
  // persistent WAL on close only when journal_size_limit is set; its value
  // (well above the 1000-page autocheckpoint) only caps the WAL while
  // processes share it, so busy periods reuse the file instead of
  // regrowing it. The page cache stays small.
  int persist = 1;
  sqlite3_file_control(db_, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
  sqlite3_exec(db_, "PRAGMA cache_size=-1024; PRAGMA journal_size_limit=16777216", nullptr, nullptr,
               nullptr);
  if (!IsWal()) {
    // Switching to WAL needs a moment of exclusive access and SQLite may
    // report BUSY without calling the busy handler, so retry it by hand.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
    for (;;) {
      int rc = sqlite3_exec(db_, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
      if (rc == SQLITE_OK) break;
      if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || std::chrono::steady_clock::now() > deadline)
        return Status::Config("cannot use database " + path + ": " + LastError());
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  sqlite3_exec(db_, "PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr);
  return Migrate();
}

Status Database::OpenReadOnly(const std::string& path) {
  path_ = path;
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK)
    return Status::Config("cannot open database " + path + ": " + LastError());
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  return Status::Ok();
}

Status Database::Exec(std::string_view sql) {
  char* err = nullptr;
  std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : LastError();
    sqlite3_free(err);
    return Status::Internal("database error: " + msg);
  }
  return Status::Ok();
}

Status Database::BeginImmediate() { return Exec("BEGIN IMMEDIATE"); }
Status Database::Commit() { return Exec("COMMIT"); }
void Database::Rollback() { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }

bool Database::IsWal() {
  Statement q(*this, "PRAGMA journal_mode");
  return q.Step() && q.ColumnText(0) == "wal";
}

int Database::SchemaVersion() {
  Statement q(*this,
              "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!q.ok() || !q.Step()) return 0;
  return static_cast<int>(q.ColumnInt(0));
}

Status Database::Migrate() {
  const auto migrations = AllMigrations();
  const int latest = migrations.back().version;
  if (SchemaVersion() == latest) return Status::Ok();

  // Another process may be migrating the same new file: the write lock makes
  // us wait for it, and the version is read again under the lock.
  Status s = BeginImmediate();
  if (!s.ok()) return s;
  s = Exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
  int current = s.ok() ? SchemaVersion() : 0;
  if (s.ok() && current > latest) {
    Rollback();
    return Status::Config("database " + path_ + " has schema version " +
                          std::to_string(current) + ", newer than this llmctl knows (" +
                          std::to_string(latest) + "); upgrade llmctl");
  }
  for (const Migration& m : migrations) {
    if (!s.ok()) break;
    if (m.version <= current) continue;
    s = Exec(m.sql);
    if (!s.ok()) break;
    Statement ins(*this,
                  "INSERT INTO schema_migrations(version, name, applied_at) "
                  "VALUES(?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))");
    ins.Bind(1, static_cast<int64_t>(m.version)).Bind(2, std::string_view(m.name));
    ins.Step();
    if (!ins.error().empty()) s = Status::Internal("database error: " + ins.error());
  }
  if (!s.ok()) {
    Rollback();
    return s;
  }
  return Commit();
}

Statement::Statement(Database& db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &stmt_,
                         nullptr) != SQLITE_OK) {
    error_ = db.LastError();
    stmt_ = nullptr;
  }
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::Bind(int i, int64_t v) {
  if (stmt_) sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
Statement& Statement::Bind(int i, double v) {
  if (stmt_) sqlite3_bind_double(stmt_, i, v);
  return *this;
}
Statement& Statement::Bind(int i, std::string_view v) {
  if (stmt_) sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::BindNull(int i) {
  if (stmt_) sqlite3_bind_null(stmt_, i);
  return *this;
}
Statement& Statement::Bind(int i, const std::optional<double>& v) {
  return v ? Bind(i, *v) : BindNull(i);
}

bool Statement::Step() {
  if (!stmt_) return false;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) error_ = db_.LastError();
  return false;
}

void Statement::Reset() {
  if (stmt_) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  error_.clear();
}

int64_t Statement::ColumnInt(int c) const { return sqlite3_column_int64(stmt_, c); }
double Statement::ColumnDouble(int c) const { return sqlite3_column_double(stmt_, c); }
std::string Statement::ColumnText(int c) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, c));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, c))) : std::string();
}
bool Statement::ColumnIsNull(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }

}  // namespace llmctl
