// `llmctl latency-stats`: latency percentiles and an ok/degraded verdict
// that exits 9 when degraded, so it can gate a pipeline or serve as a probe.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>

#include "commands/command.h"
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
};

Status RunLatencyStats(const LatencyStatsOptions& o, const GlobalOptions& g) {
  if (o.histogram && o.format != "table")
    return Status::Usage("--histogram draws in the table format only (drop --format " + o.format + ")");
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

  // Settings are read only when needed, so a report over files works on a
  // machine without any llmctl configuration.
  Settings settings;
  const bool need_settings = o.inputs.empty() || o.threshold_ms < 0;
  if (need_settings && !(st = LoadSettings(ProcessEnvironment(), g.config_path, &settings)).ok())
    return st;
  const double threshold = o.threshold_ms >= 0 ? o.threshold_ms : settings.latency_p95_alert_ms;

  LatencyAggregator aggregator(options);
  if (!o.inputs.empty()) {
    st = ReadJsonlRecords(o.inputs, o.strict, [&](const CallRecord& r) {
      if (filter.Matches(r)) aggregator.Add(r);
    });
    if (!st.ok()) return st;
  } else {
    Database db;
    bool exists = false;
    if (st = db.OpenForReading(settings.db_path, {.busy_timeout_ms = settings.db_busy_timeout_ms}, &exists);
        !st.ok())
      return st;
    if (exists && !(st = CollectLatencyFromDatabase(db, filter, options, &aggregator)).ok())
      return st;
  }
  LatencyReport report = aggregator.Finish(threshold);
  WriteLatencyReport(report, o.format, o.histogram, std::cout, StdoutWantsColor());
  std::cout.flush();
  if (report.degraded) {
    double worst = report.total.latency.p95;
    for (const LatencyGroup& group : report.groups) worst = std::max(worst, group.latency.p95);
    char msg[160];
    std::snprintf(msg, sizeof msg, "latency degraded: p95 %.1f ms is above the threshold of %g ms", worst,
                  threshold);
    return Status::CheckFailed(std::string(msg) +
                               " (raise --threshold-ms or LLM_LATENCY_P95_ALERT_MS if this is expected)");
  }
  return Status::Ok();
}

}  // namespace

void AddLatencyStatsCommand(CLI::App& app, CommandContext& ctx) {
  auto o = std::make_shared<LatencyStatsOptions>();
  CLI::App* cmd = app.add_subcommand("latency-stats", "Latency percentiles (p50/p95/p99/max, time to first token) and an ok/degraded status");
  cmd->add_option("--since", o->since, "Only records from this time: a duration back from now (24h, 7d) or a UTC date/time");
  cmd->add_option("--last", o->last, "Only the N most recent records (after the other filters)")
      ->check(StrictIntegerFlag())
      ->check(CLI::PositiveNumber);
  cmd->add_option("--by", o->by, "Group by provider and/or model; repeatable or comma-separated")
      ->delimiter(',')
      ->check(CLI::IsMember({"provider", "model"}));
  cmd->add_option("--threshold-ms", o->threshold_ms, "p95 above this is degraded, exit 9 (default LLM_LATENCY_P95_ALERT_MS)")
      ->check(StrictNumberFlag())
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--format", o->format, "Output: table, json or prometheus (node-exporter textfile)")
      ->check(CLI::IsMember({"table", "json", "prometheus"}));
  cmd->add_option("--input", o->inputs, "Read JSONL call records from these files ('-' = stdin) instead of the database")
      ->expected(1, -1);
  cmd->add_flag("--strict", o->strict, "With --input: a malformed line is an error (exit 2) instead of a warning");
  cmd->add_flag("--include-cache-hits", o->include_cache_hits, "Count cache hits in the latency figures");
  cmd->add_flag("--histogram", o->histogram, "Also draw a histogram of the latencies (table format)");
  cmd->callback([o, &ctx] { ctx.run = [o, &ctx] { return RunLatencyStats(*o, ctx.globals); }; });
}

}  // namespace llmctl
