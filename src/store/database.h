// Database: the one SQLite file holding all of llmctl's state. Opening it
// creates the file (0600, directory 0700), turns on WAL and a busy timeout,
// and brings the schema up to date, safely when many processes open a
// brand-new file at the same moment.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

namespace llmctl {

class Statement;

class Database {
 public:
  Database() = default;
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Opens (creating if needed) and migrates the file at path.
  Status Open(const std::string& path);
  // Opens an existing file without creating or migrating it.
  Status OpenReadOnly(const std::string& path);

  Status Exec(std::string_view sql);
  // BEGIN IMMEDIATE: takes the write lock up front so check-then-update
  // sequences cannot interleave with another process.
  Status BeginImmediate();
  Status Commit();
  void Rollback();

  int SchemaVersion();
  sqlite3* handle() { return db_; }
  const std::string& path() const { return path_; }
  std::string LastError() const;

 private:
  Status Migrate();
  bool IsWal();
  sqlite3* db_ = nullptr;
  std::string path_;
  int64_t busy_start_ns_ = 0;  // when the current wait for a lock began
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

  // SQLITE_ROW: true; SQLITE_DONE: false; errors: false and error() is set.
  bool Step();
  void Reset();
  const std::string& error() const { return error_; }

  int64_t ColumnInt(int col) const;
  double ColumnDouble(int col) const;
  std::string ColumnText(int col) const;
  bool ColumnIsNull(int col) const;

 private:
  Database& db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string error_;
};

// The default location: $XDG_STATE_HOME/llmctl/llmctl.db.
std::string DefaultDatabasePath();

}  // namespace llmctl
