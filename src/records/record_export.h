// Reading stored records back as their exact JSON lines (`logs`), and
// deleting old ones (`logs prune`).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "records/record_filter.h"
#include "store/database.h"
#include "util/status.h"

namespace llmctl {

using LineSink = std::function<void(const std::string& line)>;

// Calls sink with the `record` column of every matching row, oldest first
// (by timestamp, then insertion). last_n > 0 keeps only the N newest.
// *max_id is set to the highest row id that existed when reading began, so
// a follower can continue with ExportRecordsAfter without gaps or repeats.
Status ExportRecords(Database& db, const RecordFilter& filter, int64_t last_n, const LineSink& sink,
                     int64_t* max_id);

// Rows inserted after after_id that match filter, in insertion order;
// *max_id advances to the last row printed.
Status ExportRecordsAfter(Database& db, const RecordFilter& filter, int64_t after_id,
                          const LineSink& sink, int64_t* max_id);

// Deletes every record older than cutoff_ms in one transaction.
Status PruneRecords(Database& db, int64_t cutoff_ms, int64_t* deleted);

}  // namespace llmctl
