// The state of a fleet: limits, breakers and cache in one Redis every
// machine points at, and every call record published to its stream.
#pragma once

#include <memory>

#include "config/settings.h"
#include "pipeline/state_store.h"
#include "store/redis_connection.h"

namespace llmctl {

// The state on redis (connected), with the prefix, record stream length,
// limits and breaker from settings. Stores made on one connection share it,
// so they must stay on one thread.
std::unique_ptr<StateStore> MakeRedisStateStore(std::shared_ptr<RedisConnection> redis,
                                                const Settings& settings);

}  // namespace llmctl
