// The schema as a list of small numbered migrations, applied in order and
// never edited once released: a new change is a new entry at the end.
#pragma once

#include <span>

namespace llmctl {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

std::span<const Migration> AllMigrations();

// The bookkeeping every migrated file carries: one row per applied
// migration, inserted with its version and name as parameters 1 and 2.
inline constexpr const char* kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";
inline constexpr const char* kRecordMigration =
    "INSERT INTO schema_migrations(version, name, applied_at) "
    "VALUES(?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))";

}  // namespace llmctl
