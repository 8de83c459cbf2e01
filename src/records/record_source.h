// Where reports read call records from: the database, or JSONL files
// gathered from other machines (`logs` output, LLMCTL_LOG_FILE).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "records/call_record.h"
#include "util/status.h"

namespace llmctl {

// Streams the records of JSONL files ("-" is stdin) to sink, always on the
// calling thread, so memory stays flat whatever the input size. Records of
// a large regular file are parsed on every core and may reach sink out of
// file order; reports only sum and sort, so they do not notice. Blank lines
// are skipped. A line that is not a record is reported as
// "FILE:LINE: why": a warning and skipped (warnings in file order), or with
// `strict` the returned kUsage error for the first bad line of the file.
// An unreadable file is a kUsage error.
Status ReadJsonlRecords(const std::vector<std::string>& paths, bool strict,
                        const std::function<void(const CallRecord&)>& sink);

}  // namespace llmctl
