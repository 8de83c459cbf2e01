// Where finished records go: the calls table, and optionally a JSONL file.
#pragma once

#include <string>

#include "records/call_record.h"
#include "store/database.h"
#include "util/status.h"

namespace llmctl {

// Inserts the record; the JSON text stored is exactly `line`.
Status InsertCallRecord(Database& db, const CallRecord& record, const std::string& line);

// Appends line + '\n' to path with a single write, so concurrent writers
// never interleave within a line.
Status AppendLogLine(const std::string& path, const std::string& line);

}  // namespace llmctl
