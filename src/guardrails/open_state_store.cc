#include "guardrails/open_state_store.h"

#include <spdlog/spdlog.h>

#include "guardrails/redis_state_store.h"
#include "guardrails/sqlite_state_store.h"

namespace llmctl {

Status OpenStateStore(const Settings& s, Database& db, std::unique_ptr<StateStore>* out) {
  if (s.redis_url.empty()) {
    *out = std::make_unique<SqliteStateStore>(db);
    return Status::Ok();
  }
  auto redis = std::make_unique<RedisConnection>();
  RedisConnectOptions options;
  options.endpoint = s.redis;
  options.masked_url = MaskRedisUrl(s.redis_url);
  options.timeout_ms = s.redis_timeout_ms;
  Status st = redis->Connect(options);
  if (st.ok()) {
    *out = std::make_unique<RedisStateStore>(std::move(redis),
                                             RedisStoreOptions{s.redis_prefix, s.redis_records_maxlen});
    return Status::Ok();
  }
  if (s.redis_on_error == "open" && redis->unreachable()) {
    spdlog::warn("{}; using the local SQLite state for this call (LLMCTL_REDIS_ON_ERROR=open)", st.message());
    *out = std::make_unique<SqliteStateStore>(db);
    return Status::Ok();
  }
  return Status::Config(st.message() +
                        (redis->unreachable()
                             ? "; nothing was sent. Start or reach that Redis, or set LLMCTL_REDIS_ON_ERROR=open to fall back to local state"
                             : ""));
}

}  // namespace llmctl
