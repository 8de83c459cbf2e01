// Where finished records go: the calls table, and optionally a JSONL file.
#pragma once

#include <string>

#include "records/call_record.h"
#include "store/database.h"
#include "util/status.h"

namespace llmctl {

// Inserts the record; the JSON text stored is exactly `line`.
Status InsertCallRecord(Database& db, const CallRecord& record, const std::string& line);

// Runs the insert `record` will need and takes it back, leaving nothing
// written. A damaged table or index on the record's path fails here, so a
// call can be stopped before a provider is paid rather than after. Works
// inside the caller's transaction (joining it) or on its own.
Status ProbeRecordWrite(Database& db, const CallRecord& record);

// A kConfig status naming LLMCTL_LOG_FILE when path could not take a
// record: a symbolic link, a directory, a missing directory, no write
// permission. Creates nothing.
Status CheckLogFile(const std::string& path);

// Appends line + '\n' to path with a single write under an exclusive
// flock, so concurrent writers never interleave within a line. A line left
// torn by an earlier failed write is ended first, and a write that fails
// part-way is taken back, so every record starts on a line of its own.
Status AppendLogLine(const std::string& path, const std::string& line);

}  // namespace llmctl
