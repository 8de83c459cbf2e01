#include "records/record_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/output_path.h"

namespace llmctl {
namespace {

// Closes the descriptor when the scope ends, whichever way it ends.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Status LogFileError(const std::string& path, const std::string& why) {
  return Status::Config("LLMCTL_LOG_FILE " + path + ": " + why +
                        "; fix the path or unset LLMCTL_LOG_FILE");
}

}  // namespace

Status InsertCallRecord(Database& db, const CallRecord& r, const std::string& line) {
  Statement ins(db,
                "INSERT INTO calls(request_id, ts_ms, user_id, provider, model, input_tokens, "
                "output_tokens, cached_input_tokens, reasoning_tokens, cost_nanos, "
                "saved_cost_nanos, latency_ms, ttft_ms, finish_reason, cache_hit, error_type, "
                "run_id, case_id, record, price_source) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  if (!ins.ok()) return ins.Failure("writing the call record");
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
  if (r.error_type) ins.Bind(16, std::string_view(*r.error_type));
  else ins.BindNull(16);
  if (!r.run_id.empty()) ins.Bind(17, std::string_view(r.run_id));
  else ins.BindNull(17);
  if (!r.case_id.empty()) ins.Bind(18, std::string_view(r.case_id));
  else ins.BindNull(18);
  ins.Bind(19, std::string_view(line));
  ins.Bind(20, std::string_view(r.price_source));
  ins.Step();
  return ins.Failure("writing the call record");
}

Status ProbeRecordWrite(Database& db, const CallRecord& record) {
  Status st = db.Exec("SAVEPOINT record_probe");
  if (!st.ok()) return st;
  CallRecord probe = record;
  probe.request_id = "probe:" + record.request_id;
  st = InsertCallRecord(db, probe, "{}");
  Status undone = db.Exec("ROLLBACK TO record_probe");
  Status released = db.Exec("RELEASE record_probe");
  if (!st.ok()) return st;
  return undone.ok() ? released : undone;
}

Status CheckLogFile(const std::string& path) {
  const std::string why = WhyNotWritable(path, {.refuse_symlink = true});
  return why.empty() ? Status::Ok() : LogFileError(path, why);
}

Status AppendLogLine(const std::string& path, const std::string& line) {
  FileDescriptor fd(
      ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0)
    return LogFileError(path, errno == ELOOP ? "it is a symbolic link" : std::strerror(errno));
  // Only other llmctl processes honour the flock; it keeps the look at the
  // last byte and the write together.
  flock(fd.get(), LOCK_EX);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return LogFileError(path, std::strerror(errno));
  std::string out;
  char last = '\n';
  if (st.st_size > 0 && pread(fd.get(), &last, 1, st.st_size - 1) == 1 && last != '\n') out = "\n";
  out += line;
  out += '\n';
  const ssize_t n = ::write(fd.get(), out.data(), out.size());
  if (n == static_cast<ssize_t>(out.size())) return Status::Ok();
  const std::string why =
      n < 0 ? std::strerror(errno) : "only part of the record could be written (disk full?)";
  // Take the torn part back; should that fail too, the next record still
  // starts on a fresh line.
  const bool taken_back = n <= 0 || ftruncate(fd.get(), st.st_size) == 0;
  return LogFileError(
      path, "cannot append the record: " + why + (taken_back ? "" : "; a torn line remains"));
}

}  // namespace llmctl
