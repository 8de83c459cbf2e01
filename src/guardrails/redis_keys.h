// Walking the keys of one kind under the fleet prefix.
#pragma once

#include <string>
#include <vector>

#include "store/redis_connection.h"
#include "util/status.h"

namespace llmctl {

// Every key that starts with `start` (taken literally: glob characters in a
// team's prefix are escaped), found with SCAN so the server never blocks.
Status ScanKeys(RedisConnection& redis, const std::string& start, std::vector<std::string>* keys);

}  // namespace llmctl
