// The fleet's call records: every record a machine writes locally is also
// appended to one capped Redis stream, so reports can cover every machine.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "records/call_record.h"
#include "store/redis_connection.h"
#include "util/status.h"

namespace llmctl {

std::string RecordStreamKey(const std::string& prefix);

// XADD with approximate trimming to about maxlen entries (the oldest go).
Status AppendRecordToStream(RedisConnection& redis, const std::string& prefix, int64_t maxlen,
                            const std::string& json_line);

// Streams every record in the stream, oldest first, in batches, so memory
// stays flat. A line that is not a record is skipped with a warning.
// The sink gets each record and the JSON line it was published as.
Status ReadStreamRecords(RedisConnection& redis, const std::string& prefix,
                         const std::function<void(const CallRecord&, const std::string&)>& sink);

}  // namespace llmctl
