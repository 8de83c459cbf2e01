// Test support for the report tests: a scratch directory and call records
// with fixed timestamps.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "records/call_record.h"
#include "records/record_store.h"
#include "store/database.h"
#include "util/time_format.h"

namespace llmctl::testing {

// A fresh directory, removed with everything in it on destruction.
class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "llmctl-report-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return path_ + "/" + name; }
  std::string Write(const std::string& name, const std::string& text) const {
    std::ofstream(File(name), std::ios::binary) << text;
    return File(name);
  }

 private:
  std::string path_;
};

// A successful record at `iso` (UTC) with the given cost.
inline CallRecord MakeRecord(const std::string& iso, const std::string& user,
                             const std::string& provider, const std::string& model,
                             int64_t cost_nanos, double latency_ms = 100) {
  static int counter = 0;
  CallRecord r;
  r.timestamp_ms = *ParseIsoUtc(iso);
  r.request_id = "req-" + std::to_string(++counter);
  r.user_id = user;
  r.provider = provider;
  r.model = model;
  r.input_tokens = 100;
  r.output_tokens = 10;
  r.cost_nanos = cost_nanos;
  r.latency_ms = latency_ms;
  r.finish_reason = "stop";
  r.provider_finish_reason = "stop";
  return r;
}

inline void Insert(Database& db, const CallRecord& r) {
  Status st = InsertCallRecord(db, r, r.ToJsonLine());
  if (!st.ok()) throw std::runtime_error(st.message());
}

}  // namespace llmctl::testing
