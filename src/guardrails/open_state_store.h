// Chooses and opens the state store a command uses: Redis when
// LLMCTL_REDIS_URL is set, the local SQLite file otherwise.
#pragma once

#include <memory>

#include "config/settings.h"
#include "guardrails/state_store.h"
#include "store/database.h"

namespace llmctl {

// With Redis configured it is connected here, before anything is sent. An
// unreachable Redis is a kConfig status naming the masked URL and the cause
// under LLMCTL_REDIS_ON_ERROR=closed; under open a warning goes to stderr
// and the SQLite store on db is used for this process. A Redis that answers
// but refuses us (wrong password, not Redis) is a kConfig status either way.
// db must outlive the store.
Status OpenStateStore(const Settings& settings, Database& db, std::unique_ptr<StateStore>* out);

}  // namespace llmctl
