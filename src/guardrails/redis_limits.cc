#include "guardrails/redis_limits.h"

#include <cstdio>

#include "util/utc_calendar.h"

namespace llmctl {
namespace {

// Days since 1970-01-01 to year * 12 + month - 1 (H. Hinnant's
// civil_from_days), for the scripts below.
constexpr const char* kMonthOfDayLua = R"lua(
local function month_of_day(d)
  local z = d + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400
  if m <= 2 then y = y + 1 end
  return y * 12 + m - 1
end
)lua";

// Reservations are one hash (id -> "window|day|tokens|cost|expires_ms|user")
// scanned on every admission: it only ever holds the calls in flight, and
// an expired entry is dropped as it is met.
//   KEYS: window hash of the user, user's spend hash, everyone's spend hash,
//         reservations hash, reservation id counter, user's monthly spend
//         hash, everyone's monthly spend hash
//   ARGV: user, tokens, cost_nanos, token limit, request limit, window
//         seconds, user budget nanos, total budget nanos, ttl ms, reserve 0|1,
//         user monthly budget nanos, total monthly budget nanos
// Returns {verdict, window_start_s, day_index, now_ms, window tokens,
// window requests, user spend, total spend, reservation id, month index,
// user month spend, total month spend}; verdict 0 is admitted, 1 requests,
// 2 tokens, 3 user budget, 4 total budget, 5 user monthly budget, 6 total
// monthly budget. A month index is year * 12 + month - 1 of the UTC
// calendar, worked out from the day index on the server, so every machine
// agrees on when a month ends.
const RedisScript& AdmitScript() {
  static const RedisScript script(std::string(kMonthOfDayLua) + R"lua(
local t = redis.call('TIME')
local now_s = tonumber(t[1])
local now_ms = now_s * 1000 + math.floor(tonumber(t[2]) / 1000)
local user = ARGV[1]
local tokens = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local win = tonumber(ARGV[6])
local ws = now_s - (now_s % win)
local day = math.floor(now_s / 86400)
local wt = tonumber(redis.call('HGET', KEYS[1], ws .. ':t') or '0')
local wr = tonumber(redis.call('HGET', KEYS[1], ws .. ':r') or '0')
local us = tonumber(redis.call('HGET', KEYS[2], tostring(day)) or '0')
local ts = tonumber(redis.call('HGET', KEYS[3], tostring(day)) or '0')
local month = month_of_day(day)
local um = tonumber(redis.call('HGET', KEYS[6], tostring(month)) or '0')
local tm = tonumber(redis.call('HGET', KEYS[7], tostring(month)) or '0')
local held = redis.call('HGETALL', KEYS[4])
for i = 1, #held, 2 do
  local rw, rd, rt, rc, re, ru = string.match(held[i + 1], '^(%d+)|(%d+)|(%d+)|(%d+)|(%d+)|(.*)$')
  if rw == nil or tonumber(re) <= now_ms then
    redis.call('HDEL', KEYS[4], held[i])
  else
    if ru == user and tonumber(rw) == ws then
      wt = wt + tonumber(rt)
      wr = wr + 1
    end
    if tonumber(rd) == day then
      ts = ts + tonumber(rc)
      if ru == user then us = us + tonumber(rc) end
    end
    if month_of_day(tonumber(rd)) == month then
      tm = tm + tonumber(rc)
      if ru == user then um = um + tonumber(rc) end
    end
  end
end
local verdict = 0
if tonumber(ARGV[5]) > 0 and wr + 1 > tonumber(ARGV[5]) then verdict = 1
elseif tonumber(ARGV[4]) > 0 and wt + tokens > tonumber(ARGV[4]) then verdict = 2
elseif tonumber(ARGV[7]) > 0 and us + cost > tonumber(ARGV[7]) then verdict = 3
elseif tonumber(ARGV[8]) > 0 and ts + cost > tonumber(ARGV[8]) then verdict = 4
elseif tonumber(ARGV[11]) > 0 and um + cost > tonumber(ARGV[11]) then verdict = 5
elseif tonumber(ARGV[12]) > 0 and tm + cost > tonumber(ARGV[12]) then verdict = 6
end
local id = 0
if verdict == 0 and ARGV[10] == '1' then
  id = redis.call('INCR', KEYS[5])
  redis.call('HSET', KEYS[4], id, string.format('%d|%d|%d|%d|%d|%s', ws, day, tokens, cost,
             now_ms + tonumber(ARGV[9]), user))
end
return {verdict, ws, day, now_ms, wt, wr, us, ts, id, month, um, tm}
)lua");
  return script;
}

// Moves a reservation into the window, day and month counters in one
// step. Old window, day and month fields are dropped as the hashes grow,
// and idle keys expire on their own.
//   KEYS: window hash, user's spend hash, everyone's spend hash,
//         reservations, user's monthly spend hash, everyone's monthly spend hash
//   ARGV: id, window_start_s, day_index, tokens, cost_nanos, window seconds
const RedisScript& SettleScript() {
  static const RedisScript script(std::string(kMonthOfDayLua) + R"lua(
redis.call('HDEL', KEYS[4], ARGV[1])
local ws = tonumber(ARGV[2])
local win = tonumber(ARGV[6])
local day = tonumber(ARGV[3])
redis.call('HINCRBY', KEYS[1], ARGV[2] .. ':t', ARGV[4])
redis.call('HINCRBY', KEYS[1], ARGV[2] .. ':r', 1)
if redis.call('HLEN', KEYS[1]) > 6 then
  for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
    local w = tonumber(string.match(f, '^(%d+):'))
    if w == nil or w + win < ws then redis.call('HDEL', KEYS[1], f) end
  end
end
redis.call('PEXPIRE', KEYS[1], win * 2000 + 60000)
for k = 2, 3 do
  redis.call('HINCRBY', KEYS[k], ARGV[3], ARGV[5])
  if redis.call('HLEN', KEYS[k]) > 9 then
    for _, f in ipairs(redis.call('HKEYS', KEYS[k])) do
      if (tonumber(f) or 0) < day - 8 then redis.call('HDEL', KEYS[k], f) end
    end
  end
  redis.call('PEXPIRE', KEYS[k], 9 * 86400000)
end
local month = month_of_day(day)
for k = 5, 6 do
  redis.call('HINCRBY', KEYS[k], tostring(month), ARGV[5])
  if redis.call('HLEN', KEYS[k]) > 3 then
    for _, f in ipairs(redis.call('HKEYS', KEYS[k])) do
      if (tonumber(f) or 0) < month - 1 then redis.call('HDEL', KEYS[k], f) end
    end
  end
  redis.call('PEXPIRE', KEYS[k], 63 * 86400000)
end
return 1
)lua");
  return script;
}

const RedisScript& ReleaseScript() {
  static const RedisScript script("return redis.call('HDEL', KEYS[1], ARGV[1])");
  return script;
}

}  // namespace

Status RedisLimiter::Run(const UsageClaim& claim, bool reserve, int64_t ttl_ms, UsageSnapshot* u,
                         int64_t* verdict, Reservation* reservation) {
  RedisReply r;
  Status st = redis_.Eval(
      AdmitScript(),
      {prefix_ + "win:" + claim.user, prefix_ + "spend:user:" + claim.user, prefix_ + "spend:all",
       prefix_ + "resv", prefix_ + "resv:seq", prefix_ + "mspend:user:" + claim.user,
       prefix_ + "mspend:all"},
      {claim.user, std::to_string(claim.tokens), std::to_string(claim.cost_nanos),
       std::to_string(config_.tokens_per_window), std::to_string(config_.requests_per_window),
       std::to_string(config_.window_seconds), std::to_string(config_.user_daily_budget_nanos),
       std::to_string(config_.daily_budget_nanos), std::to_string(ttl_ms), reserve ? "1" : "0",
       std::to_string(config_.user_monthly_budget_nanos),
       std::to_string(config_.monthly_budget_nanos)},
      &r);
  if (!st.ok()) return st;
  if (ReplyArraySize(r.get()) != 12)
    return Status::Config("Redis at " + redis_.masked_url() +
                          " gave an unexpected answer to the admission script");
  auto at = [&](size_t i) { return ReplyInteger(ReplyElement(r.get(), i)); };
  *verdict = at(0);
  const int64_t now_ms = at(3), now_s = now_ms / 1000;
  u->window_start_s = at(1);
  u->window_resets_in_s = u->window_start_s + config_.window_seconds - now_s;
  u->day = UtcDayKey(at(2) * 86'400'000);
  u->day_resets_in_s = 86400 - now_s % 86400;
  u->window_tokens = at(4);
  u->window_requests = at(5);
  u->user_spend_nanos = at(6);
  u->total_spend_nanos = at(7);
  const int64_t month = at(9);
  char month_key[48];
  std::snprintf(month_key, sizeof month_key, "%04lld-%02lld", static_cast<long long>(month / 12),
                static_cast<long long>(month % 12 + 1));
  u->month = month_key;
  u->month_resets_in_s = (NextUtcMonthStartMs(now_ms) - now_ms + 999) / 1000;
  u->user_month_spend_nanos = at(10);
  u->total_month_spend_nanos = at(11);
  if (reservation) *reservation = {at(8), claim.user, u->window_start_s, std::to_string(at(2))};
  return Status::Ok();
}

Status RedisLimiter::Snapshot(const std::string& user, int64_t, UsageSnapshot* out) {
  int64_t verdict = 0;
  return Run({user, 0, 0}, false, 0, out, &verdict, nullptr);
}

Status RedisLimiter::Admit(const UsageClaim& claim, int64_t, bool reserve, int64_t ttl_ms,
                           Reservation* reservation) {
  UsageSnapshot u;
  int64_t verdict = 0;
  refusal_wait_s_ = -1;
  Status st = Run(claim, reserve, ttl_ms, &u, &verdict, reservation);
  if (!st.ok() || verdict == 0) return st;
  // The script refused on the usage it returns, so the shared rule finds
  // the same refusal and words it as the local store does.
  Status refusal = RefusalFor(config_, claim, u, &refusal_wait_s_);
  if (refusal.ok())
    return Status::RateLimited("rate limit: user " + claim.user + " is over a limit");
  return refusal;
}

Status RedisLimiter::Settle(const Reservation& r, int64_t tokens, int64_t cost_nanos) {
  RedisReply reply;
  return redis_.Eval(
      SettleScript(),
      {prefix_ + "win:" + r.user, prefix_ + "spend:user:" + r.user, prefix_ + "spend:all",
       prefix_ + "resv", prefix_ + "mspend:user:" + r.user, prefix_ + "mspend:all"},
      {std::to_string(r.id), std::to_string(r.window_start_s), r.day, std::to_string(tokens),
       std::to_string(cost_nanos), std::to_string(config_.window_seconds)},
      &reply);
}

Status RedisLimiter::Release(const Reservation& r) {
  RedisReply reply;
  return redis_.Eval(ReleaseScript(), {prefix_ + "resv"}, {std::to_string(r.id)}, &reply);
}

}  // namespace llmctl
