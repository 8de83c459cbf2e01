// `llmctl replay REQUEST_ID [-m MODEL] [-p PROVIDER] [--diff]`: sends a call
// kept in the audit store again, through every guardrail, optionally to
// another model, and shows the new answer or how it differs from the old.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "commands/call_flags.h"
#include "commands/command.h"
#include "config/settings.h"
#include "guardrails/pricing.h"
#include "pipeline/audit_trail.h"
#include "pipeline/call_pipeline.h"
#include "pipeline/open_state_store.h"
#include "store/database.h"
#include "util/line_diff.h"

namespace llmctl {
namespace {

struct ReplayOptions {
  std::string request_id;
  CallFlags call;
  bool diff = false;
};

std::atomic<bool> g_replay_cancelled{false};
void OnReplaySignal(int) { g_replay_cancelled.store(true); }

void Print(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  if (!text.empty() && text.back() != '\n') std::fputc('\n', stdout);
}

Status RunReplay(const ReplayOptions& o, const GlobalOptions& g) {
  const Environment env = ProcessEnvironment();
  Settings settings;
  Status st = LoadCallSettings(o.call, env, g.config_path, &settings);
  if (!st.ok()) return st;
  std::optional<AuditConfig> audit;
  st = LoadAuditConfig(settings, &audit);
  if (!st.ok()) return st;
  if (!audit)
    return Status::Config(
        "LLMCTL_AUDIT_KEY_FILE is not set: replay reads the request from the encrypted audit "
        "store, which needs the key it was written with");
  PriceTable prices;
  st = LoadPriceTable(settings, &prices);
  if (!st.ok()) return st;
  Database db;
  st = db.Open(settings.db_path, DatabaseOptionsFor(settings));
  if (!st.ok()) return st;
  nlohmann::json entry;
  st = ReadAuditEntry(db, audit->key, o.request_id, &entry);
  if (!st.ok()) return st;

  CallSpec spec;
  st = AuditedRequest(entry, &spec.primary, &spec.request);
  if (!st.ok()) return st;
  if (!o.call.model.empty() || !o.call.provider.empty()) {
    st = ChooseModel(o.call, settings, prices, &spec.primary);
    if (!st.ok()) return st;
  }
  st = ChooseFallbacks(o.call, settings, &spec.fallbacks);
  if (!st.ok()) return st;
  spec.user = settings.user;
  spec.replay_of = o.request_id;

  PipelineContext ctx;
  ctx.settings = &settings;
  ctx.env = &env;
  ctx.prices = &prices;
  ctx.audit = &*audit;
  CallPlan plan;
  st = MakeCallPlan(ctx, spec, &plan);
  if (!st.ok()) return st;
  ctx.db = &db;
  st = OpenStateStoreFactory(settings, &ctx.make_state_store);
  if (!st.ok()) return st;
  ctx.cancelled = &g_replay_cancelled;
  std::signal(SIGINT, OnReplaySignal);
  std::signal(SIGTERM, OnReplaySignal);
  AuditCipherSetup cipher_setup(ctx.audit != nullptr);
  CallOutcome outcome;
  Status written = RunCall(ctx, plan, &outcome);
  if (o.diff) {
    const nlohmann::json& old_answer = entry.value("answer", nlohmann::json::object());
    const std::string old_text = old_answer.value("text", std::string());
    const std::string old_label = o.request_id + " " + old_answer.value("provider", std::string()) +
                                  ":" + old_answer.value("model", std::string());
    const std::string new_label =
        outcome.record.request_id + " " + outcome.record.provider + ":" + outcome.record.model;
    Print(UnifiedDiff(old_text, outcome.text, {old_label, new_label}));
  } else {
    Print(outcome.text);
  }
  std::fflush(stdout);
  if (!written.ok()) return written;
  return outcome.status;
}

}  // namespace

void AddReplayCommand(CLI::App& app, CommandContext& ctx) {
  auto o = std::make_shared<ReplayOptions>();
  CLI::App* cmd = app.add_subcommand(
      "replay", "Send a call kept in the audit store again, through every guardrail");
  cmd->add_option("request_id", o->request_id, "The request_id of the call to replay")->required();
  cmd->add_option("-m,--model", o->call.model,
                  "Another model, as MODEL or PROVIDER:MODEL (default: the call's own)");
  cmd->add_option("-p,--provider", o->call.provider, "Another provider");
  cmd->add_flag("--diff", o->diff,
                "Print a unified diff of the old and the new answer instead of the new answer");
  cmd->callback([o, &ctx] { ctx.run = [o, &ctx] { return RunReplay(*o, ctx.globals); }; });
}

}  // namespace llmctl
