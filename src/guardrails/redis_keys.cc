#include "guardrails/redis_keys.h"

namespace llmctl {

Status ScanKeys(RedisConnection& redis, const std::string& start, std::vector<std::string>* keys) {
  std::string pattern;
  for (char c : start) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') pattern += '\\';
    pattern += c;
  }
  pattern += '*';
  std::string cursor = "0";
  do {
    RedisReply r;
    Status st = redis.Command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"}, &r);
    if (!st.ok()) return st;
    cursor = ReplyString(ReplyElement(r.get(), 0));
    const redisReply* batch = ReplyElement(r.get(), 1);
    for (size_t i = 0; i < ReplyArraySize(batch); ++i)
      keys->push_back(ReplyString(ReplyElement(batch, i)));
  } while (cursor != "0" && !cursor.empty());
  return Status::Ok();
}

}  // namespace llmctl
