#include "pipeline/open_state_store.h"

#include <spdlog/spdlog.h>

#include "pipeline/redis_state_store.h"

namespace llmctl {
namespace {

// *out stays null when Redis is not configured or, under
// LLMCTL_REDIS_ON_ERROR=open, cannot be reached.
Status ConnectFleet(const Settings& s, std::shared_ptr<RedisConnection>* out) {
  out->reset();
  if (s.redis_url.empty()) return Status::Ok();
  auto redis = std::make_shared<RedisConnection>();
  RedisConnectOptions options;
  options.endpoint = s.redis;
  options.masked_url = MaskRedisUrl(s.redis_url);
  options.timeout_ms = s.redis_timeout_ms;
  Status st = redis->Connect(options);
  if (st.ok()) {
    *out = std::move(redis);
    return Status::Ok();
  }
  if (s.redis_on_error == "open" && redis->unreachable()) {
    spdlog::warn("{}; using the local SQLite state for this call (LLMCTL_REDIS_ON_ERROR=open)",
                 st.message());
    return Status::Ok();
  }
  return Status::Config(
      st.message() +
      (redis->unreachable()
           ? "; nothing was sent. Start or reach that Redis, or set LLMCTL_REDIS_ON_ERROR=open to fall back to local state"
           : ""));
}

}  // namespace

Status OpenStateStore(const Settings& s, Database& db, std::unique_ptr<StateStore>* out) {
  std::shared_ptr<RedisConnection> redis;
  Status st = ConnectFleet(s, &redis);
  if (!st.ok()) return st;
  *out = redis ? MakeRedisStateStore(std::move(redis), s) : MakeSqliteStateStore(db, s);
  return Status::Ok();
}

Status OpenStateStoreFactory(const Settings& s, StateStoreFactory* out) {
  std::shared_ptr<RedisConnection> redis;
  Status st = ConnectFleet(s, &redis);
  if (!st.ok()) return st;
  *out = nullptr;
  if (redis)
    *out = [redis](const PipelineContext& ctx) {
      return MakeRedisStateStore(redis, *ctx.settings);
    };
  return Status::Ok();
}

}  // namespace llmctl
