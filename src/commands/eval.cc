// `llmctl eval SUITE.jsonl`: CI prompt-regression runs (issue #7). This file
// only wires flags to the eval layer: suite parsing, the runner, reports,
// JUnit and run comparison live in src/eval/.
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <iostream>
#include <set>

#include <spdlog/spdlog.h>

#include "commands/call_flags.h"
#include "commands/command.h"
#include "commands/number_flags.h"
#include "config/settings.h"
#include "eval/compare.h"
#include "eval/junit.h"
#include "eval/report.h"
#include "eval/runner.h"
#include "eval/suite.h"
#include "guardrails/preflight.h"
#include "guardrails/pricing.h"
#include "pipeline/audit_trail.h"
#include "pipeline/call_pipeline.h"
#include "providers/http_client.h"
#include "store/database.h"
#include "util/hash.h"
#include "util/output_path.h"
#include "util/regex.h"
#include "util/strict_number.h"
#include "util/stdout_color.h"
#include "util/time_format.h"

namespace llmctl {
namespace {

struct EvalOptions {
  std::string suite;
  std::string filter, junit, output, run_id, max_cost;
  CallFlags call;
  std::vector<std::string> compare;
  int concurrency = 4;
  int repeat = 1;
  bool json = false;
};

std::atomic<bool> g_cancelled{false};
void OnSignal(int) { g_cancelled.store(true); }

Status LoadSuite(const std::string& path, Suite* suite) {
  std::vector<std::string> errors;
  if (path == "-") {
    ParseSuite(std::cin, "<stdin>", suite, &errors);
  } else {
    std::ifstream in(path);
    if (!in) return Status::Usage(path + ": cannot read the suite file");
    ParseSuite(in, path, suite, &errors);
  }
  if (errors.empty()) return Status::Ok();
  for (size_t i = 0; i + 1 < errors.size(); ++i) spdlog::error("{}", errors[i]);
  return Status::Usage(errors.back());
}

// Worst case of a call over its whole chain, as the pipeline reserves it.
int64_t WorstCostNanos(const PriceTable& prices, const CallSpec& spec) {
  int64_t worst = 0;
  std::vector<ModelRef> chain = {spec.primary};
  chain.insert(chain.end(), spec.fallbacks.begin(), spec.fallbacks.end());
  for (const ModelRef& ref : chain) {
    ChatRequest request = spec.request;
    request.model = ref.model;
    PreflightEstimate est;
    CheckPreflight(request, prices.Find(ref.provider, ref.model).price, 0, &est);
    worst = std::max(worst, est.worst_cost_nanos);
  }
  return worst;
}

Status RunCompare(const EvalOptions& o, const Settings& settings) {
  Database db;
  Status st = db.OpenForReading(settings.db_path, DatabaseOptionsFor(settings));
  if (!st.ok()) return st;
  std::vector<EvalResultRow> a, b;
  st = LoadEvalResults(db, o.compare[0], &a);
  if (st.ok()) st = LoadEvalResults(db, o.compare[1], &b);
  if (!st.ok()) return st;
  for (const auto& [id, rows] : {std::pair{&o.compare[0], &a}, std::pair{&o.compare[1], &b}})
    if (rows->empty())
      return Status::Usage("--compare: no eval results for run " + *id + " in " + settings.db_path +
                           " (the run id is printed at the end of every eval)");
  const Comparison c = CompareRuns(o.compare[0], a, o.compare[1], b);
  if (o.json) PrintComparisonJson(c, std::cout);
  else PrintComparison(c, std::cout, StdoutWantsColor());
  std::cout.flush();
  if (c.regressions)
    return Status::CheckFailed(std::to_string(c.regressions) + " case(s) passed in " + o.compare[0] +
                               " and not in " + o.compare[1]);
  return Status::Ok();
}

Status RunEvalCommand(const EvalOptions& o, const GlobalOptions& g) {
  const Environment env = ProcessEnvironment();
  Settings settings;
  Status st = LoadCallSettings(o.call, env, g.config_path, &settings);
  if (!st.ok()) return st;
  if (!o.compare.empty()) {
    if (!o.suite.empty()) return Status::Usage("--compare takes two run ids and no suite file");
    return RunCompare(o, settings);
  }
  if (o.suite.empty()) return Status::Usage("give a suite file (llmctl eval SUITE.jsonl) or --compare RUN_A RUN_B");
  // Reports are written at the end: a path that cannot take them must stop
  // the run before any case is paid for.
  for (const auto& [flag, path] : {std::pair{"--junit", &o.junit}, std::pair{"--output", &o.output}}) {
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
      return Status::Usage("--max-cost " + o.max_cost + ": expected a number of USD above 0 (at most 1000000000)");
    max_cost_nanos = UsdToNanos(*usd);
  }
  // Repeats exist to expose flaky answers: served from the cache they
  // would all agree, so the cache is written but not read (unless replaying).
  if (o.repeat > 1 && settings.cache_mode == "auto") settings.cache_mode = "refresh";

  Suite suite;
  st = LoadSuite(o.suite, &suite);
  if (!st.ok()) return st;
  if (!o.filter.empty()) {
    std::string error;
    auto re = Regex::Compile(o.filter, &error);
    if (!re) return Status::Usage("--filter " + o.filter + ": invalid regular expression: " + error);
    std::erase_if(suite.cases, [&](const EvalCase& c) { return !re->Search(c.id); });
    if (suite.cases.empty()) return Status::Usage("--filter " + o.filter + " matches no case id in " + suite.name);
  }

  PriceTable prices;
  st = LoadPriceTable(settings, &prices);
  if (!st.ok()) return st;
  ModelRef run_model;
  st = ChooseModel(o.call, settings, env, prices, &run_model);
  if (!st.ok()) return st;
  std::vector<ModelRef> fallbacks;
  st = ChooseFallbacks(o.call, settings, &fallbacks);
  if (!st.ok()) return st;

  const std::string run_id = o.run_id.empty() ? NewUuidV7() : o.run_id;
  PipelineContext base;
  base.settings = &settings;
  base.env = &env;
  base.prices = &prices;
  base.cancelled = &g_cancelled;
  std::vector<EvalTask> tasks;
  std::set<std::string> prepared;  // chains already checked for keys
  for (const EvalCase& c : suite.cases) {
    EvalTask t;
    t.eval_case = &c;
    CallSpec& spec = t.spec;
    spec.primary = run_model;
    if (!c.model.empty()) {
      st = ParseModelRef(c.model, run_model.provider, settings, &spec.primary);
      if (!st.ok())
        return Status::Usage(suite.name + ":" + std::to_string(c.line) + ": case \"" + c.id + "\": " + st.message());
    }
    spec.fallbacks = fallbacks;
    spec.user = settings.user;
    spec.allow_truncated = true;  // judged by the case (see JudgeCase)
    spec.run_id = run_id;
    spec.case_id = c.id;
    spec.request.system = c.system;
    spec.request.messages = c.messages;
    spec.request.max_tokens = c.max_tokens.value_or(settings.max_tokens);
    spec.request.temperature = c.temperature.value_or(settings.temperature);
    if (prepared.insert(spec.primary.ToString()).second) {
      st = PrepareCall(base, spec);
      if (!st.ok()) return st;
    }
    t.worst_cost_nanos = WorstCostNanos(prices, spec);
    tasks.push_back(std::move(t));
  }

  std::optional<AuditConfig> audit;
  st = LoadAuditConfig(settings, &audit);
  if (!st.ok()) return st;

  Database db;
  st = db.Open(settings.db_path, DatabaseOptionsFor(settings));
  if (!st.ok()) return st;
  if (!o.run_id.empty()) {
    std::vector<EvalResultRow> existing;
    st = LoadEvalResults(db, run_id, &existing);
    if (!st.ok()) return st;
    if (!existing.empty()) return Status::Usage("--run-id " + run_id + " was already used; pick a new id");
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
  if (audit) ro.audit = &*audit;
  const int64_t started_ms = NowUnixMs();
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<CaseResult> results;
  Status written = RunEval(base, tasks, ro,
                           [&](const CaseResult& r, size_t done, size_t total) { progress.Update(r, done, total); },
                           &results);
  progress.Finish();
  EvalRunInfo info;
  info.suite = suite.name;
  info.run_id = run_id;
  info.repeat = o.repeat;
  info.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  st = SaveEvalResults(db, run_id, suite.name, started_ms, results);
  if (!st.ok()) spdlog::warn("{} (--compare will not see this run)", st.message());
  if (!o.junit.empty()) {
    std::ofstream f(o.junit, std::ios::trunc);
    JUnitRun jr{suite.name, run_id, started_ms, info.wall_seconds, o.repeat};
    if (f) WriteJUnit(jr, results, f);
    if (!f) return Status::Usage("--junit " + o.junit + ": cannot write the file");
  }
  if (!o.output.empty()) {
    st = WriteResultsJsonl(info, results, o.output);
    if (!st.ok()) return st;
  }
  PrintEvalSummary(info, results, std::cout, StdoutWantsColor());
  if (!written.ok()) return written;
  if (g_cancelled.load()) return Status::Interrupted("interrupted; cases not yet started were skipped");
  return RunVerdict(results, ro.max_cost_text);
}

}  // namespace

void AddEvalCommand(CLI::App& app, CommandContext& ctx) {
  auto o = std::make_shared<EvalOptions>();
  CLI::App* cmd = app.add_subcommand("eval", "Run a prompt regression suite (JSONL) with assertions");
  cmd->add_option("suite", o->suite, "Suite file, one JSON case a line ('-' reads standard input)");
  cmd->add_option("-c,--concurrency", o->concurrency, "Cases in flight at once (default 4)")->check(StrictIntegerFlag());
  cmd->add_option("--max-cost", o->max_cost, "Run budget in USD: no case starts that could pass it");
  cmd->add_option("--cache", o->call.cache, "Cache mode: auto, off, refresh, only (LLM_CACHE); only = hermetic replay");
  cmd->add_option("--filter", o->filter, "Run only cases whose id matches this regular expression");
  cmd->add_option("--repeat", o->repeat, "Run every case N times to expose flaky answers (default 1)")->check(StrictIntegerFlag());
  cmd->add_option("--junit", o->junit, "Write a JUnit XML report to FILE");
  cmd->add_option("--output", o->output, "Write per-case results to FILE as JSONL");
  cmd->add_option("--run-id", o->run_id, "Id of this run, for --compare (default: a new UUID)");
  cmd->add_option("--compare", o->compare, "Compare two earlier runs: RUN_A RUN_B")->expected(2);
  cmd->add_flag("--json", o->json, "With --compare: print the comparison as JSON");
  cmd->add_option("-m,--model", o->call.model, "Model for cases that name none, as MODEL or PROVIDER:MODEL");
  cmd->add_option("-p,--provider", o->call.provider, "Provider for cases that name none");
  cmd->add_option("-u,--user", o->call.user, "User id for limits and records (default $LLMCTL_USER, $USER)");
  cmd->add_option("--max-tokens", o->call.max_tokens, "Max output tokens for cases that set none (LLM_MAX_TOKENS)");
  cmd->add_option("--temperature", o->call.temperature, "Temperature for cases that set none (LLM_TEMPERATURE)");
  cmd->add_option("--timeout", o->call.timeout, "Per-attempt timeout in seconds (LLM_TIMEOUT_SECONDS)");
  // One value per --fallback, so the prompt after it is not taken as another.
  cmd->add_option("--fallback", o->call.fallbacks, "Fallback PROVIDER:MODEL, repeatable (LLM_FALLBACKS)")
      ->allow_extra_args(false);
  cmd->callback([o, &ctx] { ctx.run = [o, &ctx] { return RunEvalCommand(*o, ctx.globals); }; });
}

}  // namespace llmctl
