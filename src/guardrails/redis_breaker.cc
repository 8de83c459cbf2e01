#include "guardrails/redis_breaker.h"

#include <algorithm>

#include "guardrails/redis_keys.h"

namespace llmctl {
namespace {

// One hash per endpoint: f consecutive failures, o open until (ms), p probe
// lease until (ms). Every script reads the time from the server.
constexpr const char* kNow =
    "local t = redis.call('TIME')\n"
    "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n";

// KEYS: endpoint hash; ARGV: threshold, probe lease ms. 1 = may contact.
const RedisScript& AllowScript() {
  static const RedisScript script(std::string(kNow) + R"lua(
local v = redis.call('HMGET', KEYS[1], 'f', 'o', 'p')
if tonumber(v[1] or '0') < tonumber(ARGV[1]) then return 1 end
if now < tonumber(v[2] or '0') or now < tonumber(v[3] or '0') then return 0 end
redis.call('HSET', KEYS[1], 'p', now + tonumber(ARGV[2]))
return 1
)lua");
  return script;
}

// KEYS: endpoint hash; ARGV: threshold. 1 = open (cooling down).
const RedisScript& IsOpenScript() {
  static const RedisScript script(std::string(kNow) + R"lua(
local v = redis.call('HMGET', KEYS[1], 'f', 'o')
if tonumber(v[1] or '0') >= tonumber(ARGV[1]) and now < tonumber(v[2] or '0') then return 1 end
return 0
)lua");
  return script;
}

// KEYS: endpoint hash; ARGV: threshold, cooldown ms. An idle endpoint's
// history is forgotten after a week.
const RedisScript& FailureScript() {
  static const RedisScript script(std::string(kNow) + R"lua(
local f = redis.call('HINCRBY', KEYS[1], 'f', 1)
redis.call('HSET', KEYS[1], 'p', 0)
if f >= tonumber(ARGV[1]) then redis.call('HSET', KEYS[1], 'o', now + tonumber(ARGV[2])) end
redis.call('PEXPIRE', KEYS[1], 7 * 86400000)
return f
)lua");
  return script;
}

}  // namespace

Status RedisBreaker::Allow(const std::string& endpoint, int64_t, bool* allowed) {
  RedisReply r;
  Status st = redis_.Eval(
      AllowScript(), {Key(endpoint)},
      {std::to_string(options_.threshold), std::to_string(options_.probe_lease_ms)}, &r);
  *allowed = !st.ok() || ReplyInteger(r.get()) == 1;
  return st;
}

Status RedisBreaker::IsOpen(const std::string& endpoint, int64_t, bool* open) {
  RedisReply r;
  Status st =
      redis_.Eval(IsOpenScript(), {Key(endpoint)}, {std::to_string(options_.threshold)}, &r);
  *open = st.ok() && ReplyInteger(r.get()) == 1;
  return st;
}

Status RedisBreaker::RecordSuccess(const std::string& endpoint) {
  RedisReply r;
  return redis_.Command({"DEL", Key(endpoint)}, &r);
}

Status RedisBreaker::RecordFailure(const std::string& endpoint, int64_t) {
  RedisReply r;
  return redis_.Eval(FailureScript(), {Key(endpoint)},
                     {std::to_string(options_.threshold), std::to_string(options_.cooldown_ms)},
                     &r);
}

Status RedisBreaker::List(int64_t, std::vector<BreakerStatus>* out) {
  std::vector<std::string> keys;
  Status st = ScanKeys(redis_, prefix_ + "breaker:", &keys);
  if (!st.ok()) return st;
  RedisReply time;
  st = redis_.Command({"TIME"}, &time);
  if (!st.ok()) return st;
  const int64_t now = ReplyInteger(ReplyElement(time.get(), 0)) * 1000 +
                      ReplyInteger(ReplyElement(time.get(), 1)) / 1000;
  std::vector<std::vector<std::string>> cmds;
  for (const std::string& k : keys) cmds.push_back({"HMGET", k, "f", "o"});
  std::vector<RedisReply> replies;
  if (!cmds.empty() && !(st = redis_.Pipeline(cmds, &replies)).ok()) return st;
  const size_t skip = prefix_.size() + 8;
  for (size_t i = 0; i < keys.size(); ++i) {
    BreakerStatus b;
    b.endpoint = keys[i].substr(skip);
    b.consecutive_failures = ReplyInteger(ReplyElement(replies[i].get(), 0));
    b.open_until_ms = ReplyInteger(ReplyElement(replies[i].get(), 1));
    if (b.consecutive_failures == 0) continue;
    if (b.consecutive_failures >= options_.threshold)
      b.state = now < b.open_until_ms ? BreakerState::kOpen : BreakerState::kHalfOpen;
    out->push_back(b);
  }
  std::sort(out->begin(), out->end(),
            [](const BreakerStatus& a, const BreakerStatus& b) { return a.endpoint < b.endpoint; });
  return Status::Ok();
}

}  // namespace llmctl
