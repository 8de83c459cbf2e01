#include "eval/report.h"

#include <algorithm>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "records/money.h"
#include "records/percentiles.h"
#include "util/text_table.h"

namespace llmctl {
namespace {

using Clock = std::chrono::steady_clock;

std::string Usd(int64_t nanos) { return FormatNanosFixed(nanos, 6); }

std::string Where(const CaseResult& r, int repeat) {
  std::string s = r.case_id;
  if (repeat > 1) s += " [repeat " + std::to_string(r.repeat) + "/" + std::to_string(repeat) + "]";
  return s;
}

const char* Tag(CaseStatus s) {
  switch (s) {
    case CaseStatus::kPassed: return "PASS";
    case CaseStatus::kFailed: return "FAIL";
    case CaseStatus::kError: return "ERROR";
    case CaseStatus::kSkipped: return "SKIP";
  }
  return "?";
}

void Add(EvalCounts* c, const CaseResult& r) {
  switch (r.status) {
    case CaseStatus::kPassed: ++c->passed; break;
    case CaseStatus::kFailed: ++c->failed; break;
    case CaseStatus::kError: ++c->errors; break;
    case CaseStatus::kSkipped: ++c->skipped; break;
  }
  if (r.ran) {
    c->cost_nanos += r.record.cost_nanos;
    if (r.record.cache_hit) ++c->cache_hits;
  }
}

}  // namespace

EvalCounts CountResults(const std::vector<CaseResult>& results) {
  EvalCounts c;
  for (const CaseResult& r : results) Add(&c, r);
  return c;
}

std::string ClosingLine(const EvalCounts& c) {
  std::string s = std::to_string(c.passed) + " passed, " + std::to_string(c.failed) + " failed";
  if (c.skipped) s += ", " + std::to_string(c.skipped) + " skipped";
  if (c.errors) s += ", " + std::to_string(c.errors) + (c.errors == 1 ? " error" : " errors");
  return s;
}

Progress::Progress(FILE* out, bool terminal, bool enabled, int repeat)
    : out_(out), terminal_(terminal), enabled_(enabled), repeat_(repeat), start_(Clock::now()) {}

void Progress::Update(const CaseResult& r, size_t done, size_t total) {
  Add(&counts_, r);
  if (!enabled_) return;
  if (!terminal_) {
    std::string line = "[" + std::to_string(done) + "/" + std::to_string(total) + "] " + Tag(r.status) + " " +
                       Where(r, repeat_);
    if (r.ran) line += " (" + std::to_string(static_cast<int64_t>(r.record.latency_ms + 0.5)) + " ms)";
    if (r.status != CaseStatus::kPassed) line += ": " + r.message;
    std::fprintf(out_, "%s\n", line.c_str());
    return;
  }
  // Redraw at most ten times a second: a thousand fast cases must not turn
  // into a thousand terminal writes.
  const auto now = Clock::now();
  if (drawn_ && done < total && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  drawn_ = true;
  constexpr int kWidth = 30;
  const int filled = total ? static_cast<int>(kWidth * done / total) : kWidth;
  std::string bar(filled, '#');
  bar.resize(kWidth, '.');
  const double secs = std::chrono::duration<double>(now - start_).count();
  std::fprintf(out_, "\r\x1b[K[%s] %zu/%zu  %zu failed  %zu errors  %zu skipped  $%s  %.1fs", bar.c_str(), done,
               total, counts_.failed, counts_.errors, counts_.skipped, Usd(counts_.cost_nanos).c_str(), secs);
  std::fflush(out_);
}

void Progress::Finish() {
  if (enabled_ && terminal_ && drawn_) {
    std::fputs("\n", out_);
    std::fflush(out_);
  }
}

void PrintEvalSummary(const EvalRunInfo& info, const std::vector<CaseResult>& results, std::ostream& out,
                      bool color) {
  struct Row {
    int runs = 0, passed = 0, failed = 0, errors = 0, skipped = 0;
    int64_t cost = 0;
    std::vector<double> latencies;
  };
  std::vector<std::string> order;
  std::map<std::string, Row> rows;
  std::vector<double> all_latencies;
  for (const CaseResult& r : results) {
    auto [it, inserted] = rows.try_emplace(r.case_id);
    if (inserted) order.push_back(r.case_id);
    Row& row = it->second;
    ++row.runs;
    if (r.status == CaseStatus::kPassed) ++row.passed;
    if (r.status == CaseStatus::kFailed) ++row.failed;
    if (r.status == CaseStatus::kError) ++row.errors;
    if (r.status == CaseStatus::kSkipped) ++row.skipped;
    if (r.ran) {
      row.cost += r.record.cost_nanos;
      row.latencies.push_back(r.record.latency_ms);
      all_latencies.push_back(r.record.latency_ms);
    }
  }
  TextTable table({{"case"}, {"result"}, {"passed", true}, {"latency_ms", true}, {"cost_usd", true}});
  for (const std::string& id : order) {
    Row& row = rows[id];
    std::string result = row.errors ? "ERROR" : row.failed ? "FAILED" : row.skipped == row.runs ? "skipped"
                                                                                                : "passed";
    // Passing some repeats and failing others is the flakiness --repeat is for.
    if (row.passed > 0 && row.passed < row.runs - row.skipped) result += " (flaky)";
    std::string latency = "-";
    if (!row.latencies.empty()) {
      std::sort(row.latencies.begin(), row.latencies.end());
      latency = std::to_string(static_cast<int64_t>(row.latencies[(row.latencies.size() - 1) / 2] + 0.5));
    }
    table.AddRow({id, result, std::to_string(row.passed) + "/" + std::to_string(row.runs), latency, Usd(row.cost)},
                 row.failed || row.errors);
  }
  table.Print(out, color);

  bool header = false;
  for (const CaseResult& r : results) {
    if (r.status == CaseStatus::kPassed) continue;
    if (!header) out << "\n";
    header = true;
    out << Tag(r.status) << " " << Where(r, info.repeat) << " (" << info.suite << ":" << r.line << "): ";
    if (r.status == CaseStatus::kFailed) {
      bool first = true;
      for (const AssertionOutcome& a : r.assertions) {
        if (a.passed) continue;
        out << (first ? "" : "\n    ") << a.type << ": " << a.message;
        first = false;
      }
      out << "\n";
    } else {
      out << r.message << "\n";
    }
  }

  const EvalCounts c = CountResults(results);
  std::sort(all_latencies.begin(), all_latencies.end());
  char line[256];
  std::snprintf(line, sizeof line, "\nrun %s: %zu case runs, $%s, %.2f s wall", info.run_id.c_str(),
                results.size(), Usd(c.cost_nanos).c_str(), info.wall_seconds);
  out << line;
  if (!all_latencies.empty()) {
    // Nearest rank, as latency-stats computes it.
    auto rank = [&](int per_mille) {
      return static_cast<int64_t>(NearestRankPercentile(all_latencies, per_mille) + 0.5);
    };
    out << ", latency p50 " << rank(500) << " ms, p95 " << rank(950) << " ms";
  }
  if (c.cache_hits) out << ", " << c.cache_hits << (c.cache_hits == 1 ? " cache hit" : " cache hits");
  out << "\n" << ClosingLine(c) << std::endl;
}

Status WriteResultsJsonl(const EvalRunInfo& info, const std::vector<CaseResult>& results, const std::string& path) {
  std::ofstream f(path, std::ios::trunc);
  if (!f) return Status::Usage("--output " + path + ": cannot write the file");
  for (const CaseResult& r : results) {
    nlohmann::json asserts = nlohmann::json::array();
    for (const AssertionOutcome& a : r.assertions) {
      nlohmann::json j = {{"type", a.type}, {"passed", a.passed}};
      if (!a.passed) j["message"] = a.message;
      asserts.push_back(j);
    }
    nlohmann::ordered_json j = {{"run_id", info.run_id},
                        {"suite", info.suite},
                        {"case_id", r.case_id},
                        {"line", r.line},
                        {"repeat", r.repeat},
                        {"status", CaseStatusName(r.status)},
                        {"passed", r.status == CaseStatus::kPassed},
                        {"message", r.message.empty() ? nlohmann::json() : nlohmann::json(r.message)},
                        {"assertions", asserts}};
    if (r.ran) {
      const CallRecord& rec = r.record;
      j["request_id"] = rec.request_id;
      j["provider"] = rec.provider;
      j["model"] = rec.model;
      j["latency_ms"] = rec.latency_ms;
      j["cost_usd"] = NanosToUsd(rec.cost_nanos);
      j["input_tokens"] = rec.input_tokens;
      j["output_tokens"] = rec.output_tokens;
      j["finish_reason"] = rec.finish_reason;
      j["cache_hit"] = rec.cache_hit;
      j["error_type"] = rec.error_type ? nlohmann::json(*rec.error_type) : nlohmann::json();
      j["output"] = r.text;
    }
    f << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
  f.flush();
  if (!f) return Status::Usage("--output " + path + ": write failed");
  return Status::Ok();
}

Status RunVerdict(const std::vector<CaseResult>& results, const std::string& max_cost_text) {
  const EvalCounts c = CountResults(results);
  const CaseResult* first_error = nullptr;
  for (const CaseResult& r : results) {
    if (r.status == CaseStatus::kError && r.call_status.code() == StatusCode::kInterrupted)
      return Status::Interrupted("interrupted; " + ClosingLine(c));
    if (r.status == CaseStatus::kError && !first_error) first_error = &r;
  }
  if (first_error) {
    const StatusCode code =
        first_error->call_status.ok() ? StatusCode::kProvider : first_error->call_status.code();
    return Status(code, std::to_string(c.errors) + " case run(s) stopped by errors; the first, " +
                            first_error->case_id + ": " + first_error->message);
  }
  if (c.failed) return Status::CheckFailed(std::to_string(c.failed) + " case run(s) failed their assertions");
  if (c.skipped)
    return Status::Budget(std::to_string(c.skipped) + " case run(s) not run: the run budget --max-cost " +
                          max_cost_text + " was reached");
  return Status::Ok();
}

}  // namespace llmctl
