// The state of one machine: limits, breakers and cache in the SQLite file
// every local llmctl process shares.
#pragma once

#include "guardrails/state_store.h"
#include "store/database.h"

namespace llmctl {

class SqliteStateStore : public StateStore {
 public:
  explicit SqliteStateStore(Database& db) : db_(db), cache_(db) {}

  const char* backend() const override { return "sqlite"; }
  std::unique_ptr<LimitStore> Limits(const LimitConfig& config) override;
  std::unique_ptr<BreakerStore> Breakers(const BreakerOptions& options) override;
  CacheStore& Cache() override { return cache_; }
  bool SettlesWithRecord() const override { return true; }
  Status PublishRecord(const std::string&) override { return Status::Ok(); }
  Status Describe(StateStoreInfo* out) override;

 private:
  Database& db_;
  ResponseCache cache_;
};

}  // namespace llmctl
