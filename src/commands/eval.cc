// `llmctl eval SUITE.jsonl`: prompt-regression runs for CI. This file only
// wires flags to the eval layer: suite parsing, planning, the runner,
// reports, JUnit and run comparison live in src/eval/.
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <iostream>

#include "commands/call_flags.h"
#include "commands/command.h"
#include "commands/number_flags.h"
#include "config/settings.h"
#include "eval/compare.h"
#include "eval/eval_setup.h"
#include "eval/report.h"
#include "eval/runner.h"
#include "guardrails/pricing.h"
#include "pipeline/audit_trail.h"
#include "pipeline/open_state_store.h"
#include "providers/http_client.h"
#include "store/database.h"
#include "util/hash.h"
#include "util/output_path.h"
#include "util/stdout_color.h"
#include "util/strict_number.h"
#include "util/time_format.h"

namespace llmctl {
namespace {

struct EvalOptions {
  std::string suite;
  std::string filter, junit, output, run_id, max_cost, min_pass_rate;
  std::vector<std::string> models;
  std::string format = "table";
  CallFlags call;
  std::vector<std::string> compare;
  int concurrency = 4;
  int repeat = 1;
  bool json = false;
};

std::atomic<bool> g_cancelled{false};
void OnSignal(int) { g_cancelled.store(true); }

Status RunEvalCommand(const EvalOptions& o, const GlobalOptions& g) {
  const Environment env = ProcessEnvironment();
  Settings settings;
  Status st = LoadCallSettings(o.call, env, g.config_path, &settings);
  if (!st.ok()) return st;
  if (!o.compare.empty()) {
    if (!o.suite.empty()) return Status::Usage("--compare takes two run ids and no suite file");
    Database db;
    st = db.OpenForReading(settings.db_path, DatabaseOptionsFor(settings));
    if (!st.ok()) return st;
    return CompareStoredRuns(db, settings.db_path, o.compare[0], o.compare[1], o.json,
                             StdoutWantsColor(), std::cout);
  }
  if (o.suite.empty())
    return Status::Usage("give a suite file (llmctl eval SUITE.jsonl) or --compare RUN_A RUN_B");
  // Reports are written at the end: a path that cannot take them must stop
  // the run before any case is paid for.
  for (const auto& [flag, path] :
       {std::pair{"--junit", &o.junit}, std::pair{"--output", &o.output}}) {
    if (path->empty()) continue;
    const std::string why = WhyNotWritable(*path);
    if (!why.empty()) return Status::Usage(std::string(flag) + " " + *path + ": " + why);
  }
  if (o.concurrency < 1 || o.concurrency > 1024)
    return Status::Usage("--concurrency " + std::to_string(o.concurrency) + ": expected 1 to 1024");
  if (o.repeat < 1 || o.repeat > 1000)
    return Status::Usage("--repeat " + std::to_string(o.repeat) + ": expected 1 to 1000");
  int64_t max_cost_nanos = 0;
  if (!o.max_cost.empty()) {
    const auto usd = ParseStrictNumber(o.max_cost);
    if (!usd || !(*usd > 0) || *usd > 1e9)
      return Status::Usage("--max-cost " + o.max_cost +
                           ": expected a number of USD above 0 (at most 1000000000)");
    max_cost_nanos = UsdToNanos(*usd);
  }
  std::optional<double> min_pass_rate;
  if (!o.min_pass_rate.empty()) {
    const auto rate = ParseStrictNumber(o.min_pass_rate);
    if (!rate || *rate < 0 || *rate > 1)
      return Status::Usage("--min-pass-rate " + o.min_pass_rate +
                           ": expected a fraction from 0 to 1, e.g. 0.95");
    min_pass_rate = *rate;
  }
  // Graders answer at temperature 0: served from the cache in auto mode even
  // when --repeat stops the cases' own calls from reading it.
  Settings grader_settings = settings;

  Suite suite;
  st = LoadSuiteFile(o.suite, &suite);
  if (!st.ok()) return st;
  st = FilterCases(o.filter, &suite);
  if (!st.ok()) return st;
  // Repeats exist to expose flaky answers: served from the cache they
  // would all agree, so the cache is written but not read (unless replaying).
  bool repeats = o.repeat > 1;
  for (const EvalCase& c : suite.cases) repeats |= c.repeat.value_or(1) > 1;
  if (repeats && settings.cache_mode == CacheMode::kAuto) settings.cache_mode = CacheMode::kRefresh;

  PriceTable prices;
  st = LoadPriceTable(settings, &prices);
  if (!st.ok()) return st;
  EvalCallDefaults defaults;
  st = ChooseModel(o.call, settings, prices, &defaults.model);
  if (!st.ok()) return st;
  st = ChooseFallbacks(o.call, settings, &defaults.fallbacks);
  if (!st.ok()) return st;
  for (const std::string& text : o.models) {
    if (text.empty())
      return Status::Usage(
          "--models: an empty model name; expected MODEL,MODEL or PROVIDER:MODEL,…");
    CallFlags one = o.call;
    one.model = text;
    ModelRef ref;
    st = ChooseModel(one, settings, prices, &ref);
    if (!st.ok()) return Status::Usage("--models: " + st.message());
    for (const ModelRef& seen : defaults.models)
      if (seen.ToString() == ref.ToString())
        return Status::Usage("--models: " + ref.ToString() + " is named twice");
    defaults.models.push_back(ref);
  }
  defaults.grader_model = settings.grader_model;

  const std::string run_id = o.run_id.empty() ? NewUuidV7() : o.run_id;
  PipelineContext base;
  base.settings = &settings;
  base.env = &env;
  base.prices = &prices;
  base.cancelled = &g_cancelled;
  defaults.run_id = run_id;
  std::vector<EvalTask> tasks;
  st = PlanEvalTasks(base, suite, defaults, &tasks);
  if (!st.ok()) return st;

  std::optional<AuditConfig> audit;
  st = LoadAuditConfig(settings, &audit);
  if (!st.ok()) return st;
  if (audit) base.audit = &*audit;

  Database db;
  st = db.Open(settings.db_path, DatabaseOptionsFor(settings));
  if (!st.ok()) return st;
  {
    // An unreachable fleet store stops the run before any case is sent.
    StateStoreFactory probe;
    st = OpenStateStoreFactory(settings, &probe);
    if (!st.ok()) return st;
  }
  if (!o.run_id.empty()) {
    std::vector<EvalResultRow> existing;
    st = LoadEvalResults(db, run_id, &existing);
    if (!st.ok()) return st;
    if (!existing.empty())
      return Status::Usage("--run-id " + run_id + " was already used; pick a new id");
  }

  PrepareHttpForThreads();
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  Progress progress(stderr, isatty(STDERR_FILENO), !g.quiet, o.repeat);
  RunnerOptions ro;
  ro.concurrency = o.concurrency;
  ro.repeat = o.repeat;
  ro.max_cost_nanos = max_cost_nanos;
  ro.max_cost_text = o.max_cost + " USD";
  ro.cancelled = &g_cancelled;
  ro.grader_settings = &grader_settings;
  const int64_t started_ms = NowUnixMs();
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<CaseResult> results;
  AuditCipherSetup cipher_setup(base.audit != nullptr);
  Status written = RunEval(
      base, tasks, ro,
      [&](const CaseResult& r, size_t done, size_t total) { progress.Update(r, done, total); },
      &results);
  progress.Finish();
  EvalRunInfo info;
  info.suite = suite.name;
  info.run_id = run_id;
  info.repeat = o.repeat;
  info.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  info.min_pass_rate = min_pass_rate;

  st = WriteEvalOutputs(db, info, started_ms, results,
                        {o.junit, o.output, StdoutWantsColor(), o.format == "json"}, std::cout);
  if (!st.ok()) return st;
  if (!written.ok()) return written;
  if (g_cancelled.load())
    return Status::Interrupted("interrupted; cases not yet started were skipped");
  return RunVerdict(results, ro.max_cost_text, min_pass_rate);
}

}  // namespace

void AddEvalCommand(CLI::App& app, CommandContext& ctx) {
  auto o = std::make_shared<EvalOptions>();
  CLI::App* cmd =
      app.add_subcommand("eval", "Run a prompt regression suite (JSONL) with assertions");
  cmd->add_option("suite", o->suite, "Suite file, one JSON case a line ('-' reads standard input)");
  cmd->add_option("-c,--concurrency", o->concurrency, "Cases in flight at once (default 4)")
      ->check(StrictIntegerFlag());
  cmd->add_option("--max-cost", o->max_cost,
                  "Run budget in USD: no case starts that could pass it");
  cmd->add_option("--cache", o->call.cache,
                  "Cache mode: auto, off, refresh, only (LLM_CACHE); only = hermetic replay");
  cmd->add_option("--tag", o->call.tags,
                  "Tag every case's call record KEY=VALUE, repeatable (LLMCTL_TAGS)")
      ->allow_extra_args(false);
  cmd->add_option("--filter", o->filter, "Run only cases whose id matches this regular expression");
  cmd->add_option("--repeat", o->repeat,
                  "Run every case N times to expose flaky answers (default 1)")
      ->check(StrictIntegerFlag());
  cmd->add_option("--junit", o->junit, "Write a JUnit XML report to FILE");
  cmd->add_option("--output", o->output, "Write per-case results to FILE as JSONL");
  cmd->add_option("--run-id", o->run_id, "Id of this run, for --compare (default: a new UUID)");
  cmd->add_option("--compare", o->compare, "Compare two earlier runs: RUN_A RUN_B")->expected(2);
  cmd->add_flag("--json", o->json, "With --compare: print the comparison as JSON");
  cmd->add_option("-m,--model", o->call.model,
                  "Model for cases that name none, as MODEL or PROVIDER:MODEL");
  cmd->add_option("--models", o->models,
                  "Run every case on each of these models (comma-separated), side by side")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd->add_option("--min-pass-rate", o->min_pass_rate,
                  "Pass the run when at least this fraction (0-1) of case runs pass, per model");
  cmd->add_option("--format", o->format, "Summary on stdout: table or json")
      ->check(CLI::IsMember({"table", "json"}));
  cmd->add_option("-p,--provider", o->call.provider, "Provider for cases that name none");
  cmd->add_option("-u,--user", o->call.user,
                  "User id for limits and records (default $LLMCTL_USER, $USER)");
  cmd->add_option("--max-tokens", o->call.max_tokens,
                  "Max output tokens for cases that set none (LLM_MAX_TOKENS)");
  cmd->add_option("--temperature", o->call.temperature,
                  "Temperature for cases that set none (LLM_TEMPERATURE)");
  AddAttemptFlags(cmd, &o->call);
  cmd->callback([o, &ctx] { ctx.run = [o, &ctx] { return RunEvalCommand(*o, ctx.globals); }; });
}

}  // namespace llmctl
