// `--source redis` for the reports: the call records of every machine,
// read from the fleet's Redis stream instead of the local database.
#pragma once

#include <functional>
#include <string>

#include "config/settings.h"
#include "records/call_record.h"
#include "util/status.h"

namespace llmctl {

// Checks a --source value: "local" or "redis" (kUsage otherwise), and that
// redis is not combined with --input files.
Status CheckRecordSource(const std::string& source, bool has_inputs);

// Connects to LLMCTL_REDIS_URL (kConfig when it is unset or unreachable:
// a fleet report must not quietly show one machine) and streams every
// record with its JSON line, oldest first.
Status ReadFleetRecords(const Settings& settings,
                        const std::function<void(const CallRecord&, const std::string&)>& sink);

}  // namespace llmctl
