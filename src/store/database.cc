#include "store/database.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "store/migrations.h"
#include "store/schema_image.h"

namespace llmctl {

// The lock wait of one call: SQLite calls OnBusy for every statement that
// finds a lock taken, and the time spent there adds up across statements.
struct Database::BusyWait {
  int64_t budget_ns = 0;
  int64_t spent_ns = 0;
  std::chrono::steady_clock::time_point last;
};

namespace {

using Clock = std::chrono::steady_clock;

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

std::string ParentDir(const std::string& path) {
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// What sits at path must be a plain file: a symbolic link could point the
// state (and its 0600 promise) anywhere.
Status CheckPlainFile(const std::string& path, const struct stat& st) {
  if (S_ISLNK(st.st_mode))
    return Status::Config(
        "LLMCTL_DB " + path +
        " is a symbolic link; llmctl refuses it so its state cannot be redirected: "
        "point LLMCTL_DB at the real file");
  if (!S_ISREG(st.st_mode))
    return Status::Config("LLMCTL_DB " + path +
                          " is not a regular file; point LLMCTL_DB at a file path");
  return Status::Ok();
}

// SQLite gives new -wal and -shm files the mode of the database, so a file
// that others can read is tightened with its companions. chmod works on the
// name: opening and closing a descriptor here would drop this process's
// SQLite locks on the file.
void Tighten(const std::string& path, const struct stat& st) {
  if ((st.st_mode & 077) == 0 || st.st_uid != geteuid()) return;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    struct stat s;
    const std::string f = path + suffix;
    if (lstat(f.c_str(), &s) == 0 && S_ISREG(s.st_mode)) chmod(f.c_str(), 0600);
  }
}

// Serialises file creation against every other open in this process: see
// PrepareFile.
std::mutex& CreateMutex() {
  static std::mutex mu;
  return mu;
}

// Writes the whole of data at fd, however many writes it takes.
bool WriteAll(int fd, const unsigned char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// Where the file at a database's path came from, as this process found it.
enum class FileOrigin { kExisting, kFromImage, kEmpty };

// Writes the schema image, in WAL mode, to a file without a name in the
// database's directory, flushes it, and only then links it at path: no
// process ever sees a half-written file, and a crash leaves nothing behind.
// Returns false, with errno set, where the file system cannot do this
// (O_TMPFILE unsupported, or no /proc to link from).
bool LinkFromImage(const std::string& path, FileOrigin* origin) {
  const int fd = ::open(ParentDir(path).c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  const std::span<const unsigned char> image = SchemaImage();
  unsigned char first_page[4096];
  std::memcpy(first_page, image.data(), sizeof first_page);
  first_page[18] = first_page[19] = 2;  // WAL mode from the first open
  fchmod(fd, 0600);                     // a umask such as 0277 must not leave it unwritable
  bool ok = WriteAll(fd, first_page, sizeof first_page) &&
            WriteAll(fd, image.data() + sizeof first_page, image.size() - sizeof first_page) &&
            fdatasync(fd) == 0;
  if (ok) {
    const std::string self = "/proc/self/fd/" + std::to_string(fd);
    ok = linkat(AT_FDCWD, self.c_str(), AT_FDCWD, path.c_str(), AT_SYMLINK_FOLLOW) == 0;
    if (!ok && errno == EEXIST) {
      *origin = FileOrigin::kExisting;
      ok = true;
    } else if (ok) {
      *origin = FileOrigin::kFromImage;
    }
  }
  const int saved = errno;
  ::close(fd);
  errno = saved;
  return ok;
}

// Makes sure a plain file exists at path, born 0600 whatever the umask: a
// complete database written from the schema image where the file system
// allows it, else an empty file the migrations then fill.
// POSIX drops every fcntl lock a process holds on a file when it closes
// any descriptor of that file, so closing a descriptor of a file SQLite has
// open in this process would silently unlock it and let other processes
// corrupt the database. Only a file created here (a new inode no
// connection can have open yet) is ever opened and closed, and the mutex
// keeps other threads from opening it before that close.
Status PrepareFile(const std::string& path, FileOrigin* origin) {
  std::lock_guard<std::mutex> lock(CreateMutex());
  *origin = FileOrigin::kExisting;
  struct stat st;
  if (lstat(path.c_str(), &st) == 0) {
    Status s = CheckPlainFile(path, st);
    if (s.ok()) Tighten(path, st);
    return s;
  }
  auto cannot = [&](const char* what) {
    return Status::Config(std::string("cannot ") + what + " database " + path + ": " +
                          std::strerror(errno) + " (set LLMCTL_DB to a writable path)");
  };
  if (errno != ENOENT) return cannot("open");
  if (LinkFromImage(path, origin)) return Status::Ok();
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL && errno != ENOENT)
    return cannot("create");
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return errno == EEXIST ? Status::Ok() : cannot("create");
  fchmod(fd, 0600);
  ::close(fd);
  *origin = FileOrigin::kEmpty;
  return Status::Ok();
}

// SQLite's own busy handler sleeps in steps growing to 100 ms: with dozens
// of processes queueing for a write lock held a fraction of a millisecond,
// that leaves the lock idle most of the time. Poll briefly instead, with
// jitter so the waiters do not wake in step, until the call's budget is
// spent.
int OnBusy(void* arg, int attempt) {
  auto* wait = static_cast<Database::BusyWait*>(arg);
  const auto now = Clock::now();
  if (attempt > 0)
    wait->spent_ns +=
        std::chrono::duration_cast<std::chrono::nanoseconds>(now - wait->last).count();
  wait->last = now;
  if (wait->spent_ns >= wait->budget_ns) return 0;
  thread_local std::minstd_rand rng(std::random_device{}());
  const int max_us = std::min(50 + attempt * 50, 1000);
  std::this_thread::sleep_for(
      std::chrono::microseconds(25 + static_cast<int>(rng() % static_cast<unsigned>(max_us))));
  return 1;
}

// "pid 123 (sqlite3)" for every other process holding a lock on the
// database or its WAL index, read from /proc/locks; empty where that is not
// available.
std::string LockHolders(const std::string& path) {
  std::set<std::string> files;  // "major:minor:inode" as /proc/locks prints it
  for (const char* suffix : {"", "-shm"}) {
    struct stat st;
    if (stat((path + suffix).c_str(), &st) != 0) continue;
    char key[64];
    std::snprintf(key, sizeof key, "%02x:%02x:%llu", major(st.st_dev), minor(st.st_dev),
                  static_cast<unsigned long long>(st.st_ino));
    files.insert(key);
  }
  std::ifstream locks("/proc/locks");
  std::set<long> pids;
  std::string line;
  while (std::getline(locks, line)) {
    std::istringstream in(line);
    std::string id, kind, mode, rw, file;
    long pid = 0;
    if (!(in >> id >> kind)) continue;
    if (kind == "->") continue;  // a waiter, not a holder
    if (!(in >> mode >> rw >> pid >> file)) continue;
    if (files.count(file) && pid > 0 && pid != getpid()) pids.insert(pid);
  }
  std::string out;
  for (long pid : pids) {
    std::string comm;
    std::ifstream(std::string("/proc/") + std::to_string(pid) + "/comm") >> comm;
    out += (out.empty() ? "" : ", ") + std::string("pid ") + std::to_string(pid) +
           (comm.empty() ? "" : " (" + comm + ")");
  }
  return out;
}

// A path as an SQLite URI filename: the characters URIs give a meaning
// are escaped.
std::string UriPath(const std::string& path) {
  std::string out = "file:";
  for (char c : path) {
    if (c == '%' || c == '?' || c == '#') {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned char>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

bool ReadOnlyTrouble(int rc) {
  const int primary = rc & 0xff;
  return primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY;
}

}  // namespace

Database::Database() : busy_(new BusyWait) {}

Database::~Database() {
  Close();
  delete busy_;
}

void Database::Close() {
  for (auto& [sql, stmt] : idle_) sqlite3_finalize(stmt);
  idle_.clear();
  if (db_) sqlite3_close_v2(db_);
  db_ = nullptr;
}

sqlite3_stmt* Database::TakePrepared(std::string_view sql) {
  auto it = idle_.find(std::string(sql));
  if (it == idle_.end()) return nullptr;
  sqlite3_stmt* stmt = it->second;
  idle_.erase(it);
  return stmt;
}

void Database::GiveBack(sqlite3_stmt* stmt) {
  // Enough for every statement a call or a report makes; past it, a
  // statement built on the fly is not worth keeping.
  constexpr size_t kMaxIdle = 64;
  if (!stmt) return;
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  if (idle_.size() >= kMaxIdle) {
    sqlite3_finalize(stmt);
    return;
  }
  idle_.emplace(sqlite3_sql(stmt), stmt);
}

std::string Database::LastError() const { return db_ ? sqlite3_errmsg(db_) : "not open"; }

void Database::ResetWaitBudget() {
  std::lock_guard<std::recursive_mutex> hold(in_use_);
  busy_->spent_ns = 0;
}

bool Database::InTransaction() const { return db_ && sqlite3_get_autocommit(db_) == 0; }

int64_t Database::Changes() const { return sqlite3_changes64(db_); }

int64_t Database::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

Status Database::Failure(int rc, std::string_view doing) const {
  const std::string msg = LastError();
  const int sys = db_ ? sqlite3_system_errno(db_) : 0;
  const std::string why =
      std::string(doing) + ": " + msg + (sys ? std::string(" (") + std::strerror(sys) + ")" : "");
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: {
      const std::string holders = LockHolders(path_);
      return Status::Config(
          "database " + path_ + " is locked by " + (holders.empty() ? "another process" : holders) +
          " for longer than LLMCTL_DB_BUSY_TIMEOUT_MS (" +
          std::to_string(busy_->budget_ns / 1'000'000) + " ms) while " + std::string(doing) +
          "; wait for it to finish or stop it, or raise LLMCTL_DB_BUSY_TIMEOUT_MS");
    }
    case SQLITE_FULL:
      return Status::Config("cannot write database " + path_ + ": the disk is full (" + why +
                            "); free space on its file system or point LLMCTL_DB elsewhere");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Config(
          "database " + path_ + " is corrupt (" + why + "); rescue it with `sqlite3 " + path_ +
          " .recover | sqlite3 NEW.db` and point LLMCTL_DB at NEW.db, or move it aside to "
          "start afresh");
    case SQLITE_READONLY:
      return Status::Config("database " + path_ + " is read-only (" + why +
                            "); make it writable or point LLMCTL_DB at a writable path");
    case SQLITE_IOERR:
      if (sys == ENOSPC || sys == EDQUOT || sys == EFBIG)
        return Status::Config("cannot write database " + path_ + ": no space left (" + why +
                              "); free space on its file system or point LLMCTL_DB elsewhere");
      return Status::Config("I/O error on database " + path_ + " (" + why +
                            "); check the disk, or point LLMCTL_DB elsewhere");
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return Status::Config("cannot open database " + path_ + " (" + why +
                            "); point LLMCTL_DB at a writable path");
    default: return Status::Internal("database error while " + why);
  }
}

Status Database::OpenConnection(const std::string& path, int flags,
                                const DatabaseOptions& options) {
  Close();
  busy_->budget_ns = options.busy_timeout_ms * 1'000'000;
  busy_->spent_ns = 0;
  const int rc = sqlite3_open_v2(path.c_str(), &db_,
                                 flags | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW, nullptr);
  if (rc != SQLITE_OK) return Failure(rc, "opening it");
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_handler(db_, OnBusy, busy_);
  return Status::Ok();
}

Status Database::Open(const std::string& path, const DatabaseOptions& options) {
  path_ = path;
  const std::string dir = ParentDir(path);
  if (dir != "/" && dir != ".") {
    Status s = MakeDirs(dir);
    if (!s.ok()) return s;
  }
  FileOrigin origin;
  Status st = PrepareFile(path, &origin);
  if (!st.ok()) return st;
  st = OpenConnection(path, SQLITE_OPEN_READWRITE, options);
  if (!st.ok()) return st;

  // A process lives for one call, so per-process costs matter, and on an
  // ordinary disk each flush costs milliseconds: more than the rest of a
  // call. In normal durability a commit reaches the WAL without a flush
  // and a closing process leaves the WAL as it is instead of checkpointing
  // it (a checkpoint flushes twice and restarting an emptied WAL flushes
  // its header once more). The price moves to the next process to open the
  // file alone, which rebuilds the WAL index by reading the WAL; a small
  // autocheckpoint keeps that read under a megabyte, and the process that
  // crosses it pays the flushes for every call since. The WAL file is kept
  // rather than created and deleted per call; journal_size_limit caps what
  // a busy period leaves behind. The page cache stays small. Full
  // durability flushes every commit and checkpoints on close as SQLite
  // does by default.
  int persist = 1;
  sqlite3_file_control(db_, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
  const bool full = options.durability == Durability::kFull;
  if (!full) sqlite3_db_config(db_, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  sqlite3_exec(db_,
               "PRAGMA cache_size=-1024; PRAGMA journal_size_limit=4194304; "
               "PRAGMA wal_autocheckpoint=200",
               nullptr, nullptr, nullptr);
  st = UseWal();
  if (!st.ok()) return st;
  const char* durability = full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL";
  if (origin == FileOrigin::kFromImage) {
    st = StampNewFile(durability);
    if (!st.ok()) return st;
  }
  sqlite3_exec(db_, durability, nullptr, nullptr, nullptr);
  return Migrate();
}

Status Database::StampNewFile(const char* durability) {
  // A WAL header is flushed so that, after a restart, frames left from
  // before cannot pass for new ones. Under the write lock, an empty WAL
  // has no such frames: losing this first header to a power cut loses only
  // the commits after it, never the file's consistency. So the commit that
  // starts a new file's WAL flushes nothing. SQLite reads the setting when
  // a transaction begins, so it is chosen before and the transaction given
  // up untouched when another process has written first.
  sqlite3_exec(db_, "PRAGMA synchronous=OFF", nullptr, nullptr, nullptr);
  {
    Transaction tx(*this);
    if (!tx.status().ok()) return tx.status();
    struct stat wal;
    if (stat((path_ + "-wal").c_str(), &wal) == 0 && wal.st_size == 0) {
      Status st = Exec(kStampSchemaImage, "stamping its schema");
      return st.ok() ? tx.Commit() : st;
    }
  }
  sqlite3_exec(db_, durability, nullptr, nullptr, nullptr);
  Transaction tx(*this);
  Status st = tx.status();
  if (st.ok()) st = Exec(kStampSchemaImage, "stamping its schema");
  return st.ok() ? tx.Commit() : st;
}

Status Database::UseWal() {
  std::string mode;
  {
    Statement q(*this, "PRAGMA journal_mode");
    if (!q.Step()) return q.Failure("reading its journal mode");
    mode = q.ColumnText(0);
  }
  if (mode == "wal") return Status::Ok();
  // Switching to WAL needs a moment of exclusive access and SQLite may
  // report BUSY without calling the busy handler, so retry it by hand
  // within the same budget.
  for (;;) {
    const auto start = Clock::now();
    const int rc = sqlite3_exec(db_, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK) return Status::Ok();
    const int primary = rc & 0xff;
    if ((primary != SQLITE_BUSY && primary != SQLITE_LOCKED) || busy_->spent_ns >= busy_->budget_ns)
      return Failure(rc, "switching it to WAL mode");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    busy_->spent_ns +=
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
  }
}

Status Database::OpenForReading(const std::string& path, const DatabaseOptions& options,
                                bool* exists) {
  path_ = path;
  if (exists) *exists = false;
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    if (errno != ENOENT)
      return Status::Config("cannot read database " + path + ": " + std::strerror(errno) +
                            " (check LLMCTL_DB)");
    // Nothing recorded yet: an empty in-memory database with the current
    // schema answers every query, and no file is created.
    Status s = OpenConnection(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, options);
    if (!s.ok()) return s;
    const std::span<const unsigned char> image = SchemaImage();
    auto* copy = static_cast<unsigned char*>(sqlite3_malloc64(image.size()));
    if (!copy) return Status::Internal("out of memory reading an empty database");
    std::memcpy(copy, image.data(), image.size());
    const int rc =
        sqlite3_deserialize(db_, "main", copy, static_cast<sqlite3_int64>(image.size()),
                            static_cast<sqlite3_int64>(image.size()),
                            SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE);
    return rc == SQLITE_OK ? Status::Ok() : Failure(rc, "reading an empty database");
  }
  Status s = CheckPlainFile(path, st);
  if (!s.ok()) return s;
  if (exists) *exists = true;

  s = OpenConnection(path, SQLITE_OPEN_READONLY, options);
  if (!s.ok()) return s;
  const bool writable =
      access(path.c_str(), W_OK) == 0 && access(ParentDir(path).c_str(), W_OK) == 0;
  int rc = sqlite3_exec(db_, "SELECT 1 FROM sqlite_master LIMIT 1", nullptr, nullptr, nullptr);
  // A WAL left without its -shm index (or needing recovery) cannot be read
  // by a read-only connection; where the file may be written, a normal
  // connection rebuilds the index.
  if (ReadOnlyTrouble(rc) && writable) return Open(path, options);
  if (ReadOnlyTrouble(rc)) {
    // On read-only media nobody can be writing, and the WAL index cannot
    // be created beside the file. Without locks and in exclusive mode
    // SQLite keeps the index in its own memory, so the commits a last
    // writer left in the WAL are read too.
    s = OpenConnection(UriPath(path) + "?vfs=unix-none&mode=ro",
                       SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, options);
    if (!s.ok()) return s;
    rc = sqlite3_exec(db_, "PRAGMA locking_mode=EXCLUSIVE; SELECT 1 FROM sqlite_master LIMIT 1",
                      nullptr, nullptr, nullptr);
  }
  if (rc != SQLITE_OK) return Failure(rc, "reading it");
  int version = 0;
  s = SchemaVersion(&version);
  if (!s.ok()) return s;
  const int latest = AllMigrations().back().version;
  if (version > latest)
    return Status::Config("database " + path + " has schema version " + std::to_string(version) +
                          ", newer than this llmctl knows (" + std::to_string(latest) +
                          "); upgrade llmctl");
  if (version < latest && writable) return Open(path, options);
  return Status::Ok();
}

Status Database::Exec(std::string_view sql, std::string_view doing) {
  std::lock_guard<std::recursive_mutex> hold(in_use_);
  char* err = nullptr;
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  const std::string detail = err ? err : LastError();
  sqlite3_free(err);
  if (rc == SQLITE_OK) return Status::Ok();
  const std::string what =
      doing.empty() ? "running " + text.substr(0, text.find_first_of(" (")) : std::string(doing);
  Status s = Failure(rc, what);
  if (s.code() == StatusCode::kInternal)
    return Status::Internal("database error while " + what + ": " + detail);
  return s;
}

Status Database::SchemaVersion(int* version) {
  *version = 0;
  {
    Statement t(*this,
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_migrations'");
    const bool has = t.Step();
    if (t.failed()) return t.Failure("reading its schema");
    if (!has) return Status::Ok();
  }
  Statement q(*this, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!q.Step()) return q.Failure("reading its schema version");
  *version = static_cast<int>(q.ColumnInt(0));
  return Status::Ok();
}

Status Database::QuickCheck() {
  Statement q(*this, "PRAGMA quick_check");
  std::string first;
  int problems = 0;
  while (q.Step()) {
    const std::string row = q.ColumnText(0);
    if (row == "ok") continue;
    if (first.empty()) first = row;
    ++problems;
  }
  if (q.failed()) return q.Failure("checking it");
  if (problems == 0) return Status::Ok();
  return Status::Config("database " + path_ + " is corrupt (" + std::to_string(problems) +
                        " problem" + (problems == 1 ? "" : "s") + ", first: " + first +
                        "); rescue it with `sqlite3 " + path_ +
                        " .recover | sqlite3 NEW.db` and point LLMCTL_DB at NEW.db");
}

Status Database::Migrate() {
  const auto migrations = AllMigrations();
  const int latest = migrations.back().version;
  auto newer = [&](int version) {
    return Status::Config("database " + path_ + " has schema version " + std::to_string(version) +
                          ", newer than this llmctl knows (" + std::to_string(latest) +
                          "); upgrade llmctl");
  };
  int current = 0;
  Status s = SchemaVersion(&current);
  if (!s.ok()) return s;
  if (current == latest) return Status::Ok();
  if (current > latest) return newer(current);

  // Another process may be migrating the same new file: the write lock makes
  // us wait for it, and the version is read again under the lock.
  Transaction tx(*this);
  if (!tx.status().ok()) return tx.status();
  s = Exec(kCreateMigrationsTable);
  if (s.ok()) s = SchemaVersion(&current);
  if (!s.ok()) return s;
  if (current > latest) return newer(current);
  for (const Migration& m : migrations) {
    if (m.version <= current) continue;
    s = Exec(m.sql);
    if (!s.ok()) return s;
    Statement ins(*this, kRecordMigration);
    ins.Bind(1, static_cast<int64_t>(m.version)).Bind(2, std::string_view(m.name));
    ins.Step();
    if (ins.failed()) return ins.Failure("recording a migration");
  }
  return tx.Commit();
}

Transaction::Transaction(Database& db, Kind kind) : hold_(db.in_use_), db_(db) {
  if (db.InTransaction()) return;
  begin_ = kind == Kind::kImmediate ? db.Exec("BEGIN IMMEDIATE", "taking the write lock")
                                    : db.Exec("BEGIN", "starting a read");
  owned_ = begin_.ok();
}

Transaction::~Transaction() {
  if (owned_) sqlite3_exec(db_.db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

Status Transaction::Commit() {
  if (!begin_.ok()) return begin_;
  if (!owned_) return Status::Ok();
  Status st = db_.Exec("COMMIT", "committing");
  // A failed COMMIT may leave the transaction open; the destructor then
  // rolls it back.
  if (st.ok()) owned_ = false;
  return st;
}

Statement::Statement(Database& db, std::string_view sql)
    : hold_(db.in_use_), db_(db), stmt_(db.TakePrepared(sql)) {
  if (stmt_) return;
  const int rc =
      sqlite3_prepare_v2(db.db_, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
  if (rc != SQLITE_OK) {
    rc_ = rc;
    error_ = db.LastError();
    stmt_ = nullptr;
  }
}

Statement::~Statement() { db_.GiveBack(stmt_); }

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

Statement& Statement::BindBlob(int i, std::string_view v) {
  if (stmt_) sqlite3_bind_blob64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT);
  return *this;
}

bool Statement::Step() {
  if (!stmt_) return false;
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) {
    rc_ = rc;
    error_ = db_.LastError();
  }
  return false;
}

void Statement::Reset() {
  if (stmt_) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    rc_ = 0;
    error_.clear();
  }
}

Status Statement::Failure(std::string_view doing) const {
  if (rc_ == 0) return Status::Ok();
  Status s = db_.Failure(rc_, doing);
  // The connection's message may already describe a later statement.
  if (s.code() == StatusCode::kInternal)
    return Status::Internal("database error while " + std::string(doing) + ": " + error_);
  return s;
}

int64_t Statement::ColumnInt(int c) const { return sqlite3_column_int64(stmt_, c); }
double Statement::ColumnDouble(int c) const { return sqlite3_column_double(stmt_, c); }
std::string Statement::ColumnText(int c) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, c));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, c))) : std::string();
}
std::string Statement::ColumnBlob(int c) const {
  const void* p = sqlite3_column_blob(stmt_, c);
  return p ? std::string(static_cast<const char*>(p),
                         static_cast<size_t>(sqlite3_column_bytes(stmt_, c)))
           : std::string();
}
bool Statement::ColumnIsNull(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }

}  // namespace llmctl
