#include "guardrails/sqlite_state_store.h"

namespace llmctl {

std::unique_ptr<LimitStore> SqliteStateStore::Limits(const LimitConfig& config) {
  return std::make_unique<Limiter>(db_, config);
}

std::unique_ptr<BreakerStore> SqliteStateStore::Breakers(const BreakerOptions& options) {
  return std::make_unique<CircuitBreaker>(db_, options);
}

Status SqliteStateStore::Describe(StateStoreInfo* out) {
  *out = StateStoreInfo();
  out->backend = "sqlite";
  out->location = db_.path();
  return Status::Ok();
}

}  // namespace llmctl
