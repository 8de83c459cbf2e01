// Chooses the state store a command uses: Redis when LLMCTL_REDIS_URL is
// set, the local SQLite file otherwise. Commands and the pipeline get a
// StateStore and never learn which one it is.
#pragma once

#include <memory>

#include "config/settings.h"
#include "pipeline/pipeline_context.h"
#include "pipeline/state_store.h"
#include "store/database.h"

namespace llmctl {

// With Redis configured it is connected here, before anything is sent. An
// unreachable Redis is a kConfig status naming the masked URL and the cause
// under LLMCTL_REDIS_ON_ERROR=closed; under open a warning goes to stderr
// and the SQLite state in db is used for this process. A Redis that answers
// but refuses us (wrong password, not Redis) is a kConfig status either way.
// db must outlive the store.
Status OpenStateStore(const Settings& settings, Database& db, std::unique_ptr<StateStore>* out);

// The same choice for PipelineContext::make_state_store: one connection
// made now, and each call's store on it. Null (the SQLite state in the
// context's database) when Redis is not configured or falls back.
Status OpenStateStoreFactory(const Settings& settings, StateStoreFactory* out);

}  // namespace llmctl
