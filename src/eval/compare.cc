#include "eval/compare.h"

#include <cstdio>
#include <map>

#include <nlohmann/json.hpp>

#include "records/call_record.h"
#include "records/money.h"
#include "util/text_table.h"

namespace llmctl {
namespace {

int Severity(const std::string& s) {
  if (s == "error") return 3;
  if (s == "failed") return 2;
  if (s == "passed") return 1;
  return 0;  // skipped
}

std::map<std::string, CaseSummary> Summarize(const std::vector<EvalResultRow>& rows,
                                             std::vector<std::string>* order) {
  std::map<std::string, CaseSummary> by_case;
  std::map<std::string, int> latency_n;
  for (const EvalResultRow& r : rows) {
    CaseSummary& s = by_case[r.case_id];
    if (!s.present) order->push_back(r.case_id);
    s.present = true;
    if (r.status == "skipped") {
      if (s.status.empty()) s.status = "skipped";
      continue;
    }
    ++s.runs;
    if (r.status == "passed") ++s.passed;
    if (Severity(r.status) > Severity(s.status)) s.status = r.status;
    s.cost_nanos += r.cost_nanos;
    if (r.ran) {
      int& n = latency_n[r.case_id];
      s.mean_latency_ms += (r.latency_ms - s.mean_latency_ms) / ++n;
    }
  }
  return by_case;
}

RunTotals Totals(const std::map<std::string, CaseSummary>& cases) {
  RunTotals t;
  int with_latency = 0;
  for (const auto& [id, s] : cases) {
    ++t.cases;
    if (s.status == "passed") ++t.passed;
    else if (s.status == "failed") ++t.failed;
    else if (s.status == "error") ++t.errors;
    else ++t.skipped;
    t.cost_nanos += s.cost_nanos;
    if (s.runs > 0) t.mean_latency_ms += (s.mean_latency_ms - t.mean_latency_ms) / ++with_latency;
  }
  return t;
}

std::string Usd(int64_t nanos, bool sign = false) {
  return (sign && nanos >= 0 ? "+" : "") + FormatNanosFixed(nanos, 6);
}

std::string Ms(double ms, bool sign = false) {
  char buf[48];
  std::snprintf(buf, sizeof buf, sign ? "%+.0f" : "%.0f", ms);
  return buf;
}

std::string Describe(const CaseSummary& s) {
  if (!s.present) return "absent";
  if (s.runs > 1)
    return s.status + " (" + std::to_string(s.passed) + "/" + std::to_string(s.runs) + ")";
  return s.status;
}

nlohmann::json SummaryJson(const CaseSummary& s) {
  if (!s.present) return nullptr;
  return {{"status", s.status},
          {"runs", s.runs},
          {"passed", s.passed},
          {"cost_usd", NanosToUsd(s.cost_nanos)},
          {"mean_latency_ms", s.mean_latency_ms}};
}

nlohmann::json TotalsJson(const RunTotals& t) {
  return {{"cases", t.cases},
          {"passed", t.passed},
          {"failed", t.failed},
          {"errors", t.errors},
          {"skipped", t.skipped},
          {"cost_usd", NanosToUsd(t.cost_nanos)},
          {"mean_latency_ms", t.mean_latency_ms}};
}

}  // namespace

Status SaveEvalResults(Database& db, const std::string& run_id, const std::string& suite,
                       int64_t ts_ms, const std::vector<CaseResult>& results) {
  Transaction tx(db);
  if (!tx.status().ok()) return tx.status();
  Statement insert(
      db,
      "INSERT INTO eval_results (run_id, case_id, repeat, status, passed, request_id, cost_nanos, "
      "latency_ms, ran, failed_asserts, suite, ts_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
  if (!insert.ok()) return insert.Failure("storing eval results");
  for (const CaseResult& r : results) {
    std::string failed;
    for (const AssertionOutcome& a : r.assertions)
      if (!a.passed) failed += (failed.empty() ? "" : ",") + a.type;
    insert.Reset();
    // Under --models a case is stored once per model, as "MODEL CASE": a
    // model name holds no space, so two runs compare model by model.
    insert.Bind(1, run_id).Bind(2, r.model.empty() ? r.case_id : r.model + " " + r.case_id);
    insert.Bind(3, static_cast<int64_t>(r.repeat));
    insert.Bind(4, std::string_view(CaseStatusName(r.status)));
    insert.Bind(5, static_cast<int64_t>(r.status == CaseStatus::kPassed));
    if (r.ran) insert.Bind(6, r.record.request_id);
    else insert.BindNull(6);
    insert.Bind(7, (r.ran ? r.record.cost_nanos : int64_t{0}) + r.grader_cost_nanos);
    insert.Bind(8, r.ran ? r.record.latency_ms : 0.0);
    insert.Bind(9, static_cast<int64_t>(r.ran));
    insert.Bind(10, failed).Bind(11, suite).Bind(12, ts_ms);
    insert.Step();
    if (insert.failed()) return insert.Failure("storing eval results");
  }
  return tx.Commit();
}

Status LoadEvalResults(Database& db, const std::string& run_id, std::vector<EvalResultRow>* rows) {
  Statement q(
      db,
      "SELECT case_id, repeat, status, request_id, cost_nanos, latency_ms, ran, failed_asserts, suite, "
      "ts_ms FROM eval_results WHERE run_id = ? ORDER BY rowid");
  if (!q.ok()) return q.Failure("reading eval results");
  q.Bind(1, run_id);
  while (q.Step()) {
    EvalResultRow r;
    r.run_id = run_id;
    r.case_id = q.ColumnText(0);
    r.repeat = static_cast<int>(q.ColumnInt(1));
    r.status = q.ColumnText(2);
    r.request_id = q.ColumnText(3);
    r.cost_nanos = q.ColumnInt(4);
    r.latency_ms = q.ColumnDouble(5);
    r.ran = q.ColumnInt(6) != 0;
    r.failed_asserts = q.ColumnText(7);
    r.suite = q.ColumnText(8);
    r.ts_ms = q.ColumnInt(9);
    rows->push_back(std::move(r));
  }
  if (q.failed()) return q.Failure("reading eval results");
  return Status::Ok();
}

Comparison CompareRuns(const std::string& run_a, const std::vector<EvalResultRow>& a,
                       const std::string& run_b, const std::vector<EvalResultRow>& b) {
  Comparison c;
  c.run_a = run_a;
  c.run_b = run_b;
  std::vector<std::string> order;
  auto sa = Summarize(a, &order);
  auto sb = Summarize(b, &order);
  c.a = Totals(sa);
  c.b = Totals(sb);
  std::map<std::string, bool> listed;
  for (const std::string& id : order) {
    if (listed[id]) continue;
    listed[id] = true;
    const CaseSummary& x = sa[id];
    const CaseSummary& y = sb[id];
    if (x.present && y.present && x.status == y.status) continue;
    c.changed.push_back({id, x, y});
    const bool was = x.status == "passed", is = y.status == "passed";
    if (x.present && y.present && was && !is) ++c.regressions;
    if (x.present && y.present && !was && is) ++c.fixes;
  }
  return c;
}

void PrintComparison(const Comparison& c, std::ostream& out, bool color) {
  out << "A = " << c.run_a << "\nB = " << c.run_b << "\n\n";
  if (c.changed.empty()) {
    out << "no case changed between pass and fail\n\n";
  } else {
    TextTable t({{"case"},
                 {"A"},
                 {"B"},
                 {"cost_a_usd", true},
                 {"cost_b_usd", true},
                 {"cost_delta", true},
                 {"latency_a_ms", true},
                 {"latency_b_ms", true},
                 {"latency_delta", true}});
    for (const CaseChange& ch : c.changed) {
      const bool both = ch.a.present && ch.b.present;
      t.AddRow(
          {ch.case_id, Describe(ch.a), Describe(ch.b), ch.a.present ? Usd(ch.a.cost_nanos) : "-",
           ch.b.present ? Usd(ch.b.cost_nanos) : "-",
           both ? Usd(ch.b.cost_nanos - ch.a.cost_nanos, true) : "-",
           ch.a.runs ? Ms(ch.a.mean_latency_ms) : "-", ch.b.runs ? Ms(ch.b.mean_latency_ms) : "-",
           both && ch.a.runs && ch.b.runs ? Ms(ch.b.mean_latency_ms - ch.a.mean_latency_ms, true)
                                          : "-"});
    }
    t.Print(out, color);
    out << "\n";
  }
  TextTable totals({{"run"},
                    {"cases", true},
                    {"passed", true},
                    {"failed", true},
                    {"errors", true},
                    {"skipped", true},
                    {"cost_usd", true},
                    {"mean_latency_ms", true}});
  auto row = [&](const char* name, const RunTotals& t) {
    totals.AddRow({name, std::to_string(t.cases), std::to_string(t.passed),
                   std::to_string(t.failed), std::to_string(t.errors), std::to_string(t.skipped),
                   Usd(t.cost_nanos), Ms(t.mean_latency_ms)});
  };
  row("A", c.a);
  row("B", c.b);
  totals.AddRow(
      {"B-A", "", std::to_string(c.b.passed - c.a.passed), std::to_string(c.b.failed - c.a.failed),
       std::to_string(c.b.errors - c.a.errors), std::to_string(c.b.skipped - c.a.skipped),
       Usd(c.b.cost_nanos - c.a.cost_nanos, true),
       Ms(c.b.mean_latency_ms - c.a.mean_latency_ms, true)},
      true);
  totals.Print(out, color);
  out << c.regressions << " regressed, " << c.fixes << " fixed, " << c.changed.size()
      << " changed\n";
}

void PrintComparisonJson(const Comparison& c, std::ostream& out) {
  nlohmann::json changed = nlohmann::json::array();
  for (const CaseChange& ch : c.changed)
    changed.push_back(
        {{"case_id", ch.case_id}, {"a", SummaryJson(ch.a)}, {"b", SummaryJson(ch.b)}});
  nlohmann::json j = {{"run_a", c.run_a},
                      {"run_b", c.run_b},
                      {"changed", changed},
                      {"a", TotalsJson(c.a)},
                      {"b", TotalsJson(c.b)},
                      {"cost_delta_usd", NanosToUsd(c.b.cost_nanos - c.a.cost_nanos)},
                      {"mean_latency_delta_ms", c.b.mean_latency_ms - c.a.mean_latency_ms},
                      {"regressions", c.regressions},
                      {"fixes", c.fixes}};
  out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace llmctl
