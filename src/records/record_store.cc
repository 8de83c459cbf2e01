#include "records/record_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace llmctl {

Status InsertCallRecord(Database& db, const CallRecord& r, const std::string& line) {
  Statement ins(db,
                "INSERT INTO calls(request_id, ts_ms, user_id, provider, model, input_tokens, "
                "output_tokens, cached_input_tokens, reasoning_tokens, cost_nanos, "
                "saved_cost_nanos, latency_ms, ttft_ms, finish_reason, cache_hit, error_type, "
                "run_id, case_id, record, price_source) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  if (!ins.ok()) return Status::Internal("database error: " + ins.error());
  ins.Bind(1, std::string_view(r.request_id))
      .Bind(2, r.timestamp_ms)
      .Bind(3, std::string_view(r.user_id))
      .Bind(4, std::string_view(r.provider))
      .Bind(5, std::string_view(r.model))
      .Bind(6, r.input_tokens)
      .Bind(7, r.output_tokens)
      .Bind(8, r.cached_input_tokens)
      .Bind(9, r.reasoning_tokens)
      .Bind(10, r.cost_nanos)
      .Bind(11, r.saved_cost_nanos)
      .Bind(12, r.latency_ms)
      .Bind(13, r.ttft_ms)
      .Bind(14, std::string_view(r.finish_reason))
      .Bind(15, static_cast<int64_t>(r.cache_hit ? 1 : 0));
  if (r.error_type) ins.Bind(16, std::string_view(*r.error_type)); else ins.BindNull(16);
  if (!r.run_id.empty()) ins.Bind(17, std::string_view(r.run_id)); else ins.BindNull(17);
  if (!r.case_id.empty()) ins.Bind(18, std::string_view(r.case_id)); else ins.BindNull(18);
  ins.Bind(19, std::string_view(line));
  ins.Bind(20, std::string_view(r.price_source));
  ins.Step();
  if (!ins.error().empty()) return Status::Internal("cannot write call record: " + ins.error());
  return Status::Ok();
}

Status AppendLogLine(const std::string& path, const std::string& line) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Config("cannot open LLMCTL_LOG_FILE " + path + ": " + std::strerror(errno));
  std::string out = line + "\n";
  ssize_t n = ::write(fd, out.data(), out.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(out.size()))
    return Status::Internal("short write to LLMCTL_LOG_FILE " + path);
  return Status::Ok();
}

}  // namespace llmctl
