#include "records/record_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "records/record_fields.h"
#include "util/output_path.h"
#include "util/unique_fd.h"

namespace llmctl {
namespace {

Status LogFileError(const std::string& path, const std::string& why) {
  return Status::Config("LLMCTL_LOG_FILE " + path + ": " + why +
                        "; fix the path or unset LLMCTL_LOG_FILE");
}

}  // namespace

namespace {

// INSERT INTO calls(<every column of the field table>, record) VALUES(?, …).
const std::string& InsertSql() {
  static const std::string sql = [] {
    std::string columns, values;
    for (const RecordField& f : RecordFields()) {
      if (!f.column) continue;
      columns += std::string(f.column) + ", ";
      values += "?,";
    }
    return "INSERT INTO calls(" + columns + "tags, record) VALUES(" + values + "?,?)";
  }();
  return sql;
}

// A field's column value; a field absent from the JSON form is NULL.
void BindField(Statement& ins, int index, const RecordField& f, const CallRecord& r) {
  if (f.omit == Omit::kWhenEmpty && IsOmitted(f, r)) {
    ins.BindNull(index);
    return;
  }
  switch (f.kind) {
    case FieldKind::kTimestamp:
    case FieldKind::kCount:
    case FieldKind::kUsd: ins.Bind(index, r.*f.integer); return;
    case FieldKind::kText: ins.Bind(index, std::string_view(r.*f.text)); return;
    case FieldKind::kOptionalText:
      if (const auto& v = r.*f.optional_text) ins.Bind(index, std::string_view(*v));
      else ins.BindNull(index);
      return;
    case FieldKind::kMs: ins.Bind(index, r.*f.real); return;
    case FieldKind::kOptionalMs: ins.Bind(index, r.*f.optional_real); return;
    case FieldKind::kFlag: ins.Bind(index, static_cast<int64_t>(r.*f.flag ? 1 : 0)); return;
  }
}

}  // namespace

Status InsertCallRecord(Database& db, const CallRecord& r, const std::string& line) {
  Statement ins(db, InsertSql());
  if (!ins.ok()) return ins.Failure("writing the call record");
  int index = 0;
  for (const RecordField& f : RecordFields())
    if (f.column) BindField(ins, ++index, f, r);
  if (r.tags.empty()) {
    ins.BindNull(++index);
  } else {
    nlohmann::json tags = nlohmann::json::object();
    for (const auto& [key, value] : r.tags) tags[key] = value;
    ins.Bind(++index, std::string_view(tags.dump()));
  }
  ins.Bind(++index, std::string_view(line));
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
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0)
    return LogFileError(path, errno == ELOOP ? "it is a symbolic link" : std::strerror(errno));
  // Only other llmctl processes honour the flock; it keeps the look at the
  // last byte and the write together.
  flock(fd.get(), LOCK_EX);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return LogFileError(path, std::strerror(errno));
  std::string out;
  char last = '\n';
  if (st.st_size > 0 && pread(fd.get(), &last, 1, st.st_size - 1) == 1 && last != '\n')
    out.push_back('\n');
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
