// Where reports read call records from: the database, or JSONL files
// gathered from other machines (`logs` output, LLMCTL_LOG_FILE).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "records/call_record.h"
#include "util/status.h"

namespace llmctl {

// Streams records out of JSONL files ("-" is stdin) one line at a time, so
// memory stays flat whatever the input size. Blank lines are skipped. A line
// that is not a record is reported as "FILE:LINE: why": a warning and
// skipped, or with `strict` the returned kUsage error. An unreadable file is
// a kUsage error.
Status ReadJsonlRecords(const std::vector<std::string>& paths, bool strict,
                        const std::function<void(const CallRecord&)>& sink);

// Parses one JSON line into *out (which is reset first). Fills every
// scalar field of the record and its tags but leaves attempts and guard
// findings empty: reports never read them, and skipping them keeps parsing several
// times faster than building a DOM. Fails on invalid JSON, a non-object, a field of the wrong type or a
// missing/bad timestamp.
Status ParseRecordLine(std::string_view line, CallRecord* out);

}  // namespace llmctl
