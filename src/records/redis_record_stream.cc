#include "records/redis_record_stream.h"

#include <spdlog/spdlog.h>

#include "records/record_line_parser.h"

namespace llmctl {

std::string RecordStreamKey(const std::string& prefix) { return prefix + "records"; }

Status AppendRecordToStream(RedisConnection& redis, const std::string& prefix, int64_t maxlen,
                            const std::string& json_line) {
  RedisReply r;
  return redis.Command(
      {"XADD", RecordStreamKey(prefix), "MAXLEN", "~", std::to_string(maxlen), "*", "r", json_line},
      &r);
}

Status ReadStreamRecords(RedisConnection& redis, const std::string& prefix,
                         const std::function<void(const CallRecord&, const std::string&)>& sink) {
  std::string start = "-";
  for (;;) {
    RedisReply r;
    Status st = redis.Command({"XRANGE", RecordStreamKey(prefix), start, "+", "COUNT", "1000"}, &r);
    if (!st.ok()) return st;
    const size_t n = ReplyArraySize(r.get());
    for (size_t i = 0; i < n; ++i) {
      const redisReply* entry = ReplyElement(r.get(), i);
      const std::string id = ReplyString(ReplyElement(entry, 0));
      const redisReply* fields = ReplyElement(entry, 1);
      for (size_t f = 0; f + 1 < ReplyArraySize(fields); f += 2) {
        if (ReplyString(ReplyElement(fields, f)) != "r") continue;
        CallRecord rec;
        const std::string line = ReplyString(ReplyElement(fields, f + 1));
        Status parsed = ParseRecordLine(line, &rec);
        if (parsed.ok()) sink(rec, line);
        else spdlog::warn("skipped stream entry {}: {}", id, parsed.message());
      }
      start = "(" + id;
    }
    if (n < 1000) return Status::Ok();
  }
}

}  // namespace llmctl
