#include "eval/report.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

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
  c->grader_cost_nanos += r.grader_cost_nanos;
}

std::string Fraction(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

double PassRate(const EvalCounts& c) {
  const size_t judged = c.passed + c.failed + c.errors;
  return judged ? static_cast<double>(c.passed) / static_cast<double>(judged) : 0;
}

// The runs of one case on one model.
struct CaseRuns {
  std::string model, case_id;
  int runs = 0, passed = 0, judged = 0;
  std::optional<double> threshold;
};

std::vector<CaseRuns> GroupCases(const std::vector<CaseResult>& results) {
  std::vector<CaseRuns> groups;
  std::map<std::pair<std::string, std::string>, size_t> index;
  for (const CaseResult& r : results) {
    auto [it, inserted] = index.try_emplace({r.model, r.case_id}, groups.size());
    if (inserted) groups.push_back({r.model, r.case_id, 0, 0, 0, r.threshold});
    CaseRuns& g = groups[it->second];
    ++g.runs;
    if (r.status == CaseStatus::kPassed) ++g.passed;
    if (r.status != CaseStatus::kSkipped) ++g.judged;
  }
  return groups;
}

std::string OnModel(const std::string& model) { return model.empty() ? "" : " on " + model; }

// "case c1 on m: 3 of 5 runs passed (0.60), threshold 0.80"
std::string CaseGateLine(const CaseRuns& g) {
  const double rate = g.judged ? static_cast<double>(g.passed) / g.judged : 0;
  return "case " + g.case_id + OnModel(g.model) + ": " + std::to_string(g.passed) + " of " +
         std::to_string(g.judged) + " runs passed (" + Fraction(rate) + "), threshold " +
         Fraction(*g.threshold);
}

std::string RateGateLine(const ModelSummary& m, double min_pass_rate) {
  const size_t judged = m.counts.passed + m.counts.failed + m.counts.errors;
  return "pass rate" + OnModel(m.model) + " " + Fraction(m.pass_rate) + " (" +
         std::to_string(m.counts.passed) + " of " + std::to_string(judged) +
         " case runs), --min-pass-rate " + Fraction(min_pass_rate);
}

}  // namespace

std::vector<ModelSummary> SummarizeByModel(const std::vector<CaseResult>& results) {
  std::vector<ModelSummary> out;
  std::map<std::string, size_t> index;
  std::vector<std::vector<double>> latencies;
  for (const CaseResult& r : results) {
    auto [it, inserted] = index.try_emplace(r.model, out.size());
    if (inserted) {
      out.push_back({});
      out.back().model = r.model;
      latencies.emplace_back();
    }
    ModelSummary& m = out[it->second];
    Add(&m.counts, r);
    if (r.ran) {
      latencies[it->second].push_back(r.record.latency_ms);
      m.input_tokens += r.record.input_tokens;
      m.output_tokens += r.record.output_tokens;
    }
  }
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].pass_rate = PassRate(out[i].counts);
    std::vector<double>& l = latencies[i];
    if (l.empty()) continue;
    std::sort(l.begin(), l.end());
    out[i].p50_ms = NearestRankPercentile(l, 500);
    out[i].p95_ms = NearestRankPercentile(l, 950);
  }
  return out;
}

std::vector<std::string> GateFailures(const std::vector<CaseResult>& results,
                                      std::optional<double> min_pass_rate) {
  std::vector<std::string> failures;
  std::set<std::pair<std::string, std::string>> gated;
  for (const CaseRuns& g : GroupCases(results)) {
    if (!g.threshold) continue;
    gated.insert({g.model, g.case_id});
    if (g.judged && static_cast<double>(g.passed) / g.judged + 1e-12 < *g.threshold)
      failures.push_back(CaseGateLine(g) + ": below it");
  }
  if (min_pass_rate) {
    for (const ModelSummary& m : SummarizeByModel(results))
      if (m.counts.passed + m.counts.failed + m.counts.errors > 0 &&
          m.pass_rate + 1e-12 < *min_pass_rate)
        failures.push_back(RateGateLine(m, *min_pass_rate) + ": below it");
    return failures;
  }
  size_t failed = 0;
  for (const CaseResult& r : results)
    if (r.status == CaseStatus::kFailed && !gated.count({r.model, r.case_id})) ++failed;
  if (failed) failures.push_back(std::to_string(failed) + " case run(s) failed their assertions");
  return failures;
}

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
    std::string line = "[" + std::to_string(done) + "/" + std::to_string(total) + "] " +
                       Tag(r.status) + " " + Where(r, repeat_);
    if (r.ran)
      line += " (" + std::to_string(static_cast<int64_t>(r.record.latency_ms + 0.5)) + " ms)";
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
  std::fprintf(out_, "\r\x1b[K[%s] %zu/%zu  %zu failed  %zu errors  %zu skipped  $%s  %.1fs",
               bar.c_str(), done, total, counts_.failed, counts_.errors, counts_.skipped,
               Usd(counts_.cost_nanos).c_str(), secs);
  std::fflush(out_);
}

void Progress::Finish() {
  if (enabled_ && terminal_ && drawn_) {
    std::fputs("\n", out_);
    std::fflush(out_);
  }
}

void PrintEvalSummary(const EvalRunInfo& info, const std::vector<CaseResult>& results,
                      std::ostream& out, bool color) {
  struct Row {
    int runs = 0, passed = 0, failed = 0, errors = 0, skipped = 0;
    int64_t cost = 0;
    std::vector<double> latencies;
  };
  using Key = std::pair<std::string, std::string>;  // model, case
  std::vector<Key> order;
  std::map<Key, Row> rows;
  std::vector<double> all_latencies;
  bool several_models = false;
  for (const CaseResult& r : results) {
    several_models |= !r.model.empty();
    auto [it, inserted] = rows.try_emplace(Key{r.model, r.case_id});
    if (inserted) order.push_back(it->first);
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
  std::map<Key, const CaseResult*> first_run;
  for (const CaseResult& r : results) first_run.try_emplace(Key{r.model, r.case_id}, &r);
  std::vector<TableColumn> columns;
  if (several_models) columns.push_back({"model"});
  for (TableColumn c : std::initializer_list<TableColumn>{
           {"case"}, {"result"}, {"passed", true}, {"latency_ms", true}, {"cost_usd", true}})
    columns.push_back(c);
  TextTable table(columns);
  for (const Key& key : order) {
    Row& row = rows[key];
    const std::optional<double> threshold = first_run[key]->threshold;
    const int judged = row.runs - row.skipped;
    const bool below =
        threshold && judged && static_cast<double>(row.passed) / judged + 1e-12 < *threshold;
    std::string result = row.errors                ? "ERROR"
                         : threshold && judged     ? (below ? "FAILED" : "passed")
                         : row.failed              ? "FAILED"
                         : row.skipped == row.runs ? "skipped"
                                                   : "passed";
    // Passing some repeats and failing others is the flakiness --repeat is for.
    if (row.passed > 0 && row.passed < judged) result += " (flaky)";
    if (threshold) result += " (threshold " + Fraction(*threshold) + ")";
    std::string latency = "-";
    if (!row.latencies.empty()) {
      std::sort(row.latencies.begin(), row.latencies.end());
      latency =
          std::to_string(static_cast<int64_t>(row.latencies[(row.latencies.size() - 1) / 2] + 0.5));
    }
    std::vector<std::string> cells;
    if (several_models) cells.push_back(key.first);
    for (std::string cell :
         {key.second, result, std::to_string(row.passed) + "/" + std::to_string(row.runs), latency,
          Usd(row.cost)})
      cells.push_back(std::move(cell));
    table.AddRow(std::move(cells), row.errors || (threshold ? below : row.failed > 0));
  }
  table.Print(out, color);

  bool header = false;
  for (const CaseResult& r : results) {
    if (r.status == CaseStatus::kPassed) continue;
    if (!header) out << "\n";
    header = true;
    out << Tag(r.status) << " " << Where(r, info.repeat) << OnModel(r.model) << " (" << info.suite
        << ":" << r.line << "): ";
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

  // The gates: each case with a threshold, and the run's pass rate.
  const std::vector<ModelSummary> models = SummarizeByModel(results);
  bool gate_header = false;
  auto gate = [&](const std::string& line, bool met) {
    if (!gate_header) out << "\n";
    gate_header = true;
    out << line << (met ? ": met" : ": BELOW") << "\n";
  };
  for (const CaseRuns& g : GroupCases(results)) {
    if (!g.threshold || !g.judged) continue;
    gate(CaseGateLine(g), static_cast<double>(g.passed) / g.judged + 1e-12 >= *g.threshold);
  }
  if (info.min_pass_rate)
    for (const ModelSummary& m : models)
      gate(RateGateLine(m, *info.min_pass_rate), m.pass_rate + 1e-12 >= *info.min_pass_rate);

  if (several_models) {
    TextTable side({{"model"},
                    {"pass_rate", true},
                    {"passed", true},
                    {"failed", true},
                    {"errors", true},
                    {"cost_usd", true},
                    {"grader_usd", true},
                    {"p50_ms", true},
                    {"p95_ms", true},
                    {"input_tokens", true},
                    {"output_tokens", true}});
    for (const ModelSummary& m : models)
      side.AddRow({m.model, Fraction(m.pass_rate), std::to_string(m.counts.passed),
                   std::to_string(m.counts.failed), std::to_string(m.counts.errors),
                   Usd(m.counts.cost_nanos), Usd(m.counts.grader_cost_nanos),
                   std::to_string(static_cast<int64_t>(m.p50_ms + 0.5)),
                   std::to_string(static_cast<int64_t>(m.p95_ms + 0.5)),
                   std::to_string(m.input_tokens), std::to_string(m.output_tokens)});
    out << "\n";
    side.Print(out, color);
  }

  const EvalCounts c = CountResults(results);
  std::sort(all_latencies.begin(), all_latencies.end());
  char line[256];
  std::snprintf(line, sizeof line, "\nrun %s: %zu case runs, $%s, %.2f s wall", info.run_id.c_str(),
                results.size(), Usd(c.cost_nanos).c_str(), info.wall_seconds);
  out << line;
  if (c.grader_cost_nanos) out << ", grader $" << Usd(c.grader_cost_nanos);
  if (!all_latencies.empty()) {
    // Nearest rank, as latency-stats computes it.
    auto rank = [&](int per_mille) {
      return static_cast<int64_t>(NearestRankPercentile(all_latencies, per_mille) + 0.5);
    };
    out << ", latency p50 " << rank(500) << " ms, p95 " << rank(950) << " ms";
  }
  if (c.cache_hits)
    out << ", " << c.cache_hits << (c.cache_hits == 1 ? " cache hit" : " cache hits");
  out << "\n" << ClosingLine(c) << std::endl;
}

void PrintEvalJson(const EvalRunInfo& info, const std::vector<CaseResult>& results,
                   std::ostream& out) {
  const EvalCounts c = CountResults(results);
  nlohmann::ordered_json models = nlohmann::ordered_json::array();
  for (const ModelSummary& m : SummarizeByModel(results)) {
    models.push_back(
        {{"model", m.model.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(m.model)},
         {"pass_rate", m.pass_rate},
         {"passed", m.counts.passed},
         {"failed", m.counts.failed},
         {"errors", m.counts.errors},
         {"skipped", m.counts.skipped},
         {"cost_usd", NanosToUsd(m.counts.cost_nanos)},
         {"grader_cost_usd", NanosToUsd(m.counts.grader_cost_nanos)},
         {"latency_p50_ms", m.p50_ms},
         {"latency_p95_ms", m.p95_ms},
         {"input_tokens", m.input_tokens},
         {"output_tokens", m.output_tokens}});
  }
  nlohmann::ordered_json cases = nlohmann::ordered_json::array();
  for (const CaseRuns& g : GroupCases(results)) {
    nlohmann::ordered_json j = {
        {"case_id", g.case_id},
        {"model", g.model.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(g.model)},
        {"runs", g.runs},
        {"passed", g.passed}};
    if (g.threshold) j["threshold"] = *g.threshold;
    cases.push_back(j);
  }
  const std::vector<std::string> gates = GateFailures(results, info.min_pass_rate);
  nlohmann::ordered_json j = {
      {"run_id", info.run_id},
      {"suite", info.suite},
      {"wall_seconds", info.wall_seconds},
      {"passed", c.passed},
      {"failed", c.failed},
      {"errors", c.errors},
      {"skipped", c.skipped},
      {"pass_rate", PassRate(c)},
      {"min_pass_rate",
       info.min_pass_rate ? nlohmann::ordered_json(*info.min_pass_rate) : nlohmann::ordered_json()},
      {"gates_failed", gates},
      {"cost_usd", NanosToUsd(c.cost_nanos)},
      {"grader_cost_usd", NanosToUsd(c.grader_cost_nanos)},
      {"models", models},
      {"cases", cases}};
  out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
}

Status WriteResultsJsonl(const EvalRunInfo& info, const std::vector<CaseResult>& results,
                         const std::string& path) {
  std::ofstream f(path, std::ios::trunc);
  if (!f) return Status::Usage("--output " + path + ": cannot write the file");
  for (const CaseResult& r : results) {
    nlohmann::json asserts = nlohmann::json::array();
    for (const AssertionOutcome& a : r.assertions) {
      nlohmann::json j = {{"type", a.type}, {"passed", a.passed}};
      if (!a.passed) j["message"] = a.message;
      asserts.push_back(j);
    }
    nlohmann::ordered_json j = {
        {"run_id", info.run_id},
        {"suite", info.suite},
        {"case_id", r.case_id},
        {"model_under_test", r.model.empty() ? nlohmann::json() : nlohmann::json(r.model)},
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
      j["grader_cost_usd"] = NanosToUsd(r.grader_cost_nanos);
      j["output"] = r.text;
    }
    f << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  }
  f.flush();
  if (!f) return Status::Usage("--output " + path + ": write failed");
  return Status::Ok();
}

Status RunVerdict(const std::vector<CaseResult>& results, const std::string& max_cost_text,
                  std::optional<double> min_pass_rate) {
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
  const std::vector<std::string> gates = GateFailures(results, min_pass_rate);
  if (!gates.empty())
    return Status::CheckFailed(
        gates.front() + (gates.size() > 1
                             ? " (and " + std::to_string(gates.size() - 1) + " more, listed above)"
                             : ""));
  if (c.skipped)
    return Status::Budget(std::to_string(c.skipped) +
                          " case run(s) not run: the run budget --max-cost " + max_cost_text +
                          " was reached");
  return Status::Ok();
}

}  // namespace llmctl
