// Database: the one SQLite file holding all of llmctl's state. Opening it
// creates the file (0600, directory 0700), turns on WAL and a busy timeout,
// and brings the schema up to date, safely when many processes, and many
// threads of one process, open the same file at the same moment.
//
// One Database may serve many threads: a statement and a transaction each
// hold the connection for as long as they live, so the threads of a process
// take turns on one connection and one page cache instead of contending for
// the file's locks with a connection each.
//
// Every failure comes back as a Status whose code says whose problem it is:
// trouble with the file (locked too long, corrupt, disk full, read-only,
// unreadable) is a configuration error naming the file and what to do;
// only a statement SQLite itself rejects is an internal error.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "util/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace llmctl {

// How hard a commit holds on to the disk.
enum class Durability {
  // A commit reaches the write-ahead log without waiting for the disk. The
  // file stays consistent through a crash of the process or the machine; a
  // power loss may undo the last commits (never half of one). Costs no
  // disk flush on a call.
  kNormal,
  // Every commit waits until the disk has it; each call pays that flush.
  kFull,
};

struct DatabaseOptions {
  // The longest a call waits, in total over all its statements, for locks
  // other processes hold (LLMCTL_DB_BUSY_TIMEOUT_MS).
  int64_t busy_timeout_ms = 15'000;
  Durability durability = Durability::kNormal;  // LLMCTL_DB_SYNC
};

class Database {
 public:
  Database();
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Opens (creating if needed) and migrates the file at path. A symbolic
  // link is refused; an existing file readable by others is tightened to
  // 0600.
  Status Open(const std::string& path, const DatabaseOptions& options = {});
  // For commands that only read: never creates, writes or migrates a file
  // it can only read. A missing file reads as an empty database (*exists is
  // false); a file on read-only media is read as it is. An older schema is
  // upgraded first when the file is writable.
  Status OpenForReading(const std::string& path, const DatabaseOptions& options = {},
                        bool* exists = nullptr);

  // Runs sql; `doing` describes it in an error ("taking the write lock").
  Status Exec(std::string_view sql, std::string_view doing = {});
  // Starts a new call's single lock wait (see DatabaseOptions). Threads
  // sharing the connection share the budget: each wait stays bounded.
  void ResetWaitBudget();
  bool InTransaction() const;
  // Rows changed by the last statement, and the rowid it inserted; read
  // them while that statement or its transaction still holds the connection.
  int64_t Changes() const;
  int64_t LastInsertRowId() const;

  // The applied schema version: 0 for a file no migration ever touched. A
  // file that cannot be read is an error, never version 0.
  Status SchemaVersion(int* version);
  // SQLite's quick_check over the whole file: slow on a large file, so for
  // diagnostics (config-check), not for every call.
  Status QuickCheck();

  const std::string& path() const { return path_; }
  std::string LastError() const;
  // The Status for SQLite result code rc met while `doing` something.
  Status Failure(int rc, std::string_view doing) const;

  struct BusyWait;  // the lock-wait budget, kept by SQLite's busy handler

 private:
  friend class Statement;
  friend class Transaction;
  Status OpenConnection(const std::string& path, int flags, const DatabaseOptions& options);
  Status UseWal();
  // Stamps the migrations of a file just written from the schema image with
  // the time it was made; `durability` is the synchronous pragma to commit
  // under when another process has already written to the file.
  Status StampNewFile(const char* durability);
  Status Migrate();
  void Close();
  // Prepared statements are kept for reuse: parsing SQL costs more than
  // running the small statements of a call, and an eval run makes the same
  // ones for every case.
  sqlite3_stmt* TakePrepared(std::string_view sql);
  void GiveBack(sqlite3_stmt* stmt);
  sqlite3* db_ = nullptr;
  std::string path_;
  BusyWait* busy_;
  std::recursive_mutex in_use_;  // held by the thread running a statement or a transaction
  std::unordered_multimap<std::string, sqlite3_stmt*> idle_;  // reset, ready for reuse
};

// BEGIN ... COMMIT as a scope: rolled back unless Commit() succeeded. Inside
// a transaction the caller already holds, it joins that one (neither
// commits nor rolls back), so helpers may be used either way.
class Transaction {
 public:
  enum class Kind {
    kImmediate,  // takes the write lock up front so check-then-update
                 // sequences cannot interleave with another process
    kDeferred,   // a consistent read
  };
  explicit Transaction(Database& db, Kind kind = Kind::kImmediate);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // Whether BEGIN succeeded; nothing else may be done when it did not.
  const Status& status() const { return begin_; }
  Status Commit();

 private:
  std::unique_lock<std::recursive_mutex> hold_;  // first: taken before BEGIN, given back last
  Database& db_;
  Status begin_;
  bool owned_ = false;
};

// A prepared statement; binds are 1-based like SQLite's.
class Statement {
 public:
  Statement(Database& db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return stmt_ != nullptr; }
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, double value);
  Statement& Bind(int index, std::string_view value);
  Statement& BindNull(int index);
  Statement& Bind(int index, const std::optional<double>& value);
  // Bytes that are not text (ciphertext, nonces).
  Statement& BindBlob(int index, std::string_view bytes);

  // SQLITE_ROW: true; SQLITE_DONE: false; errors: false and failed() is set.
  bool Step();
  void Reset();
  bool failed() const { return rc_ != 0; }
  const std::string& error() const { return error_; }
  // The Status for this statement's failure (see Database::Failure).
  Status Failure(std::string_view doing) const;

  int64_t ColumnInt(int col) const;
  double ColumnDouble(int col) const;
  std::string ColumnText(int col) const;
  std::string ColumnBlob(int col) const;
  bool ColumnIsNull(int col) const;

 private:
  std::unique_lock<std::recursive_mutex> hold_;  // first: taken before prepare, given back last
  Database& db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = 0;  // the SQLite error code of the last failure, 0 when none
  std::string error_;
};

}  // namespace llmctl
