// `llmctl latency-stats`: latency percentiles and an ok/degraded verdict
// that exits 9 when degraded, so it can gate a pipeline or serve as a probe.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>

#include "commands/command.h"
#include "commands/fleet_records.h"
#include "commands/number_flags.h"
#include "config/settings.h"
#include "records/latency_stats.h"
#include "records/latency_stats_format.h"
#include "records/record_source.h"
#include "util/stdout_color.h"
#include "util/time_format.h"

namespace llmctl {
namespace {

struct LatencyStatsOptions {
  std::string since;
  int64_t last = 0;
  std::vector<std::string> by;
  double threshold_ms = -1;  // negative: LLM_LATENCY_P95_ALERT_MS
  std::string format = "table";
  std::vector<std::string> inputs;
  bool strict = false;
  bool include_cache_hits = false;
  bool histogram = false;
  std::string source = "local";
  int64_t min_calls = 0;
};

// Exit status of the report: degraded (slow or failing) or too few calls
// for --min-calls is a failed check; no calls at all is otherwise not.
Status Verdict(const LatencyReport& report, int64_t min_calls) {
  std::vector<const LatencyGroup*> groups = {&report.total};
  for (const LatencyGroup& g : report.groups) groups.push_back(&g);
  const LatencyGroup* worst_rate = nullptr;
  double worst_p95 = -1;
  for (const LatencyGroup* g : groups) {
    if (g->failing && (!worst_rate || g->error_rate() > worst_rate->error_rate())) worst_rate = g;
    if (g->slow) worst_p95 = std::max(worst_p95, g->latency.p95);
  }
  char msg[256];
  if (worst_rate) {
    std::string where;
    for (const std::string& k : worst_rate->keys) where += (where.empty() ? " at " : "/") + k;
    std::snprintf(
        msg, sizeof msg,
        "provider errors degraded%s: %lld of %lld calls (%.1f%%) failed at the provider, above "
        "LLM_ERROR_RATE_ALERT=%g",
        where.c_str(), static_cast<long long>(worst_rate->provider_failures),
        static_cast<long long>(worst_rate->provider_calls), 100 * worst_rate->error_rate(),
        report.error_rate_threshold);
    return Status::CheckFailed(std::string(msg) + " (see `llmctl logs` for the errors)");
  }
  if (worst_p95 >= 0) {
    std::snprintf(msg, sizeof msg, "latency degraded: p95 %.1f ms is above the threshold of %g ms",
                  worst_p95, report.threshold_ms);
    return Status::CheckFailed(
        std::string(msg) +
        " (raise --threshold-ms or LLM_LATENCY_P95_ALERT_MS if this is expected)");
  }
  if (report.total.calls < min_calls)
    return Status::CheckFailed(
        "only " + std::to_string(report.total.calls) + " calls in range, fewer than --min-calls " +
        std::to_string(min_calls) + " (is LLMCTL_DB right, and is anything calling?)");
  return Status::Ok();
}

Status RunLatencyStats(const LatencyStatsOptions& o, const GlobalOptions& g) {
  if (o.histogram && o.format != "table")
    return Status::Usage("--histogram draws in the table format only (drop --format " + o.format +
                         ")");
  RecordFilter filter;
  Status st = ParseTimeRange(o.since, "", NowUnixMs(), &filter);
  if (!st.ok()) return st;
  LatencyOptions options;
  options.include_cache_hits = o.include_cache_hits;
  options.last_n = o.last;
  for (const std::string& b : o.by) {
    GroupBy gb;
    if (st = ParseGroupBy(b, &gb); !st.ok()) return st;
    options.by.push_back(gb);
  }

  if (st = CheckRecordSource(o.source, !o.inputs.empty()); !st.ok()) return st;
  // The error-rate threshold always comes from the settings; a machine
  // without any llmctl configuration gets the defaults.
  Settings settings;
  if (st = LoadSettings(ProcessEnvironment(), g.config_path, &settings); !st.ok()) return st;
  const double threshold = o.threshold_ms >= 0 ? o.threshold_ms : settings.latency_p95_alert_ms;

  LatencyAggregator aggregator(options);
  if (o.source == "redis") {
    st = ReadFleetRecords(settings, [&](const CallRecord& r, const std::string&) {
      if (filter.Matches(r)) aggregator.Add(r);
    });
    if (!st.ok()) return st;
  } else if (!o.inputs.empty()) {
    st = ReadJsonlRecords(o.inputs, o.strict, [&](const CallRecord& r) {
      if (filter.Matches(r)) aggregator.Add(r);
    });
    if (!st.ok()) return st;
  } else {
    Database db;
    bool exists = false;
    if (st = db.OpenForReading(settings.db_path, DatabaseOptionsFor(settings), &exists); !st.ok())
      return st;
    if (exists && !(st = CollectLatencyFromDatabase(db, filter, options, &aggregator)).ok())
      return st;
  }
  LatencyReport report = aggregator.Finish(threshold, settings.error_rate_alert);
  WriteLatencyReport(report, o.format, o.histogram, std::cout, StdoutWantsColor());
  std::cout.flush();
  return Verdict(report, o.min_calls);
}

}  // namespace

void AddLatencyStatsCommand(CLI::App& app, CommandContext& ctx) {
  auto o = std::make_shared<LatencyStatsOptions>();
  CLI::App* cmd = app.add_subcommand(
      "latency-stats",
      "Latency percentiles (p50/p95/p99/max, time to first token) and an ok/degraded status");
  cmd->add_option(
      "--since", o->since,
      "Only records from this time: a duration back from now (24h, 7d) or a UTC date/time");
  cmd->add_option("--last", o->last, "Only the N most recent records (after the other filters)")
      ->check(StrictIntegerFlag())
      ->check(CLI::PositiveNumber);
  cmd->add_option("--by", o->by, "Group by provider and/or model; repeatable or comma-separated")
      ->delimiter(',')
      ->check(CLI::IsMember({"provider", "model"}));
  cmd->add_option("--threshold-ms", o->threshold_ms,
                  "p95 above this is degraded, exit 9 (default LLM_LATENCY_P95_ALERT_MS)")
      ->check(StrictNumberFlag())
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--format", o->format,
                  "Output: table, json or prometheus (node-exporter textfile)")
      ->check(CLI::IsMember({"table", "json", "prometheus"}));
  cmd->add_option("--input", o->inputs,
                  "Read JSONL call records from these files ('-' = stdin) instead of the database")
      ->expected(1, -1);
  cmd->add_flag("--strict", o->strict,
                "With --input: a malformed line is an error (exit 2) instead of a warning");
  cmd->add_flag("--include-cache-hits", o->include_cache_hits,
                "Count cache hits in the latency figures");
  cmd->add_flag("--histogram", o->histogram,
                "Also draw a histogram of the latencies (table format)");
  cmd->add_option(
      "--source", o->source,
      "Records from: local (this machine's database) or redis (the whole fleet's stream)");
  cmd->add_option("--min-calls", o->min_calls,
                  "Fewer calls than this in range is a failed check, exit 9 (default 0)")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([o, &ctx] { ctx.run = [o, &ctx] { return RunLatencyStats(*o, ctx.globals); }; });
}

}  // namespace llmctl
