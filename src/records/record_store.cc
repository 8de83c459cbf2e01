#include "records/record_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "records/record_fields.h"
#include "util/unique_fd.h"

namespace llmctl {

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
    return "INSERT INTO calls(" + columns + "record) VALUES(" + values + "?)";
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
  if (!ins.ok()) return Status::Internal("database error: " + ins.error());
  int index = 0;
  for (const RecordField& f : RecordFields())
    if (f.column) BindField(ins, ++index, f, r);
  ins.Bind(++index, std::string_view(line));
  ins.Step();
  if (!ins.error().empty()) return Status::Internal("cannot write call record: " + ins.error());
  return Status::Ok();
}

Status AppendLogLine(const std::string& path, const std::string& line) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
  if (!fd.valid()) return Status::Config("cannot open LLMCTL_LOG_FILE " + path + ": " + std::strerror(errno));
  std::string out = line + "\n";
  ssize_t n = ::write(fd.get(), out.data(), out.size());
  if (n != static_cast<ssize_t>(out.size()))
    return Status::Internal("short write to LLMCTL_LOG_FILE " + path);
  return Status::Ok();
}

}  // namespace llmctl
