#include "commands/fleet_records.h"

#include "records/redis_record_stream.h"
#include "store/redis_connection.h"

namespace llmctl {

Status CheckRecordSource(const std::string& source, bool has_inputs) {
  if (source != "local" && source != "redis")
    return Status::Usage("--source \"" + source + "\" is invalid: expected local or redis");
  if (source == "redis" && has_inputs)
    return Status::Usage("--source redis and --input both name where records come from; give one");
  return Status::Ok();
}

Status ReadFleetRecords(const Settings& s,
                        const std::function<void(const CallRecord&, const std::string&)>& sink) {
  if (s.redis_url.empty())
    return Status::Config(
        "--source redis needs LLMCTL_REDIS_URL (or LLMCTL_REDIS_URL_FILE): the fleet's records live there");
  RedisConnection redis;
  Status st = redis.Connect({s.redis, MaskRedisUrl(s.redis_url), s.redis_timeout_ms});
  if (!st.ok()) return st;
  return ReadStreamRecords(redis, s.redis_prefix, sink);
}

}  // namespace llmctl
