// `llmctl cost-report`: spend totals from the database or from JSONL files.
#include <iostream>
#include <memory>

#include "commands/command.h"
#include "commands/fleet_records.h"
#include "config/settings.h"
#include "config/tags.h"
#include "records/cost_report.h"
#include "records/cost_report_format.h"
#include "records/record_source.h"
#include "util/stdout_color.h"
#include "util/time_format.h"

namespace llmctl {
namespace {

struct CostReportOptions {
  std::string since;
  std::string until;
  std::vector<std::string> by;
  std::vector<std::string> tags;
  std::string user;
  std::string model;
  std::string provider;
  std::string format = "table";
  std::vector<std::string> inputs;
  bool strict = false;
  std::string source = "local";
};

Status RunCostReport(const CostReportOptions& o, const GlobalOptions& g) {
  RecordFilter filter;
  Status st = ParseTimeRange(o.since, o.until, NowUnixMs(), &filter);
  if (!st.ok()) return st;
  filter.user = o.user;
  filter.model = o.model;
  filter.provider = o.provider;
  for (const std::string& text : o.tags) {
    std::pair<std::string, std::string> tag;
    if (std::string why = ParseTag(text, &tag); !why.empty())
      return Status::Usage("--tag " + text + ": " + why);
    filter.tags.push_back(std::move(tag));
  }
  std::vector<GroupBy> by;
  for (const std::string& b : o.by) {
    GroupBy gb;
    if (st = ParseGroupBy(b, &gb); !st.ok()) return st;
    by.push_back(gb);
  }

  if (st = CheckRecordSource(o.source, !o.inputs.empty()); !st.ok()) return st;

  CostReport report;
  report.by = by;
  if (o.source == "redis") {
    Settings settings;
    if (st = LoadSettings(ProcessEnvironment(), g.config_path, &settings); !st.ok()) return st;
    CostAggregator aggregator(by);
    st = ReadFleetRecords(settings, [&](const CallRecord& r, const std::string&) {
      if (filter.Matches(r)) aggregator.Add(r);
    });
    if (!st.ok()) return st;
    report = aggregator.Finish();
  } else if (!o.inputs.empty()) {
    CostAggregator aggregator(by);
    st = ReadJsonlRecords(o.inputs, o.strict, [&](const CallRecord& r) {
      if (filter.Matches(r)) aggregator.Add(r);
    });
    if (!st.ok()) return st;
    report = aggregator.Finish();
  } else {
    Settings settings;
    if (st = LoadSettings(ProcessEnvironment(), g.config_path, &settings); !st.ok()) return st;
    Database db;
    bool exists = false;
    if (st = db.OpenForReading(settings.db_path, DatabaseOptionsFor(settings), &exists); !st.ok())
      return st;
    if (exists && !(st = CostReportFromDatabase(db, filter, by, &report)).ok()) return st;
  }
  WriteCostReport(report, o.format, std::cout, StdoutWantsColor());
  std::cout.flush();
  return Status::Ok();
}

}  // namespace

void AddCostReportCommand(CLI::App& app, CommandContext& ctx) {
  auto o = std::make_shared<CostReportOptions>();
  CLI::App* cmd = app.add_subcommand("cost-report", "Cost and token totals from the call records");
  cmd->add_option(
      "--since", o->since,
      "Only records from this time: a duration back from now (24h, 7d) or a UTC date/time (2026-11-28, 2026-11-28T10:15)");
  cmd->add_option("--until", o->until, "Only records before this time (same forms as --since)");
  cmd->add_option(
         "--by", o->by,
         "Group by user, model, provider, day, hour (UTC) or tag:KEY; repeatable or comma-separated, nested in the order given")
      ->delimiter(',');
  cmd->add_option("--tag", o->tags, "Only records tagged KEY=VALUE; repeatable (all must match)")
      ->allow_extra_args(false);
  cmd->add_option("-u,--user", o->user, "Only this user id");
  cmd->add_option("-m,--model", o->model, "Only this model (as recorded, without the provider)");
  cmd->add_option("-p,--provider", o->provider, "Only this provider");
  cmd->add_option("--format", o->format, "Output: table, json or csv")
      ->check(CLI::IsMember({"table", "json", "csv"}));
  cmd->add_option("--input", o->inputs,
                  "Read JSONL call records from these files ('-' = stdin) instead of the database")
      ->expected(1, -1);
  cmd->add_flag("--strict", o->strict,
                "With --input: a malformed line is an error (exit 2) instead of a warning");
  cmd->add_option(
      "--source", o->source,
      "Records from: local (this machine's database) or redis (the whole fleet's stream)");
  cmd->callback([o, &ctx] { ctx.run = [o, &ctx] { return RunCostReport(*o, ctx.globals); }; });
}

}  // namespace llmctl
