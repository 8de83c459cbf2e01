// `llmctl complete`: one prompt through every guardrail.
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "commands/call_flags.h"
#include "commands/command.h"
#include "config/prompt_template.h"
#include "config/settings.h"
#include "guardrails/output_checks.h"
#include "guardrails/pricing.h"
#include "pipeline/audit_trail.h"
#include "pipeline/call_pipeline.h"
#include "pipeline/conversation_history.h"
#include "pipeline/open_state_store.h"
#include "providers/messages.h"
#include "providers/provider.h"
#include "providers/provider_registry.h"
#include "store/database.h"
#include "util/utf8.h"

namespace llmctl {
namespace {

// Anthropic's request limit; larger prompts fail at every provider anyway.
constexpr size_t kMaxPromptBytes = 32u << 20;

struct CompleteOptions {
  std::vector<std::string> prompt;
  std::string system, messages_file;
  CallFlags call;
  bool stream = false, json = false, dry_run = false, allow_truncated = false;
  std::vector<std::string> data_files;
  std::string schema_file;
  int64_t schema_retries = 1;
  bool expect_json = false;
  std::vector<std::string> expect_regex, deny_regex;
  std::string conversation;
  bool fit = false;
  std::string template_name;
  std::vector<std::string> template_vars;  // -V KEY=VALUE
};

// A template with its -V values, when -t was given.
struct TemplateUse {
  PromptTemplate tmpl;
  std::map<std::string, std::string> vars;
};

std::atomic<bool> g_cancelled{false};

void OnSignal(int) { g_cancelled.store(true); }

// Reads at most kMaxPromptBytes + 1 bytes: one byte past the cap proves the
// input too large without reading (or holding) the rest of it.
Status ReadAll(std::istream& in, const std::string& what, std::string* out) {
  out->clear();
  char buf[1 << 16];
  while (out->size() <= kMaxPromptBytes && in) {
    in.read(buf,
            static_cast<std::streamsize>(std::min(sizeof buf, kMaxPromptBytes + 1 - out->size())));
    out->append(buf, static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) return Status::Usage("cannot read " + what);
  if (out->size() > kMaxPromptBytes)
    return Status::Usage(
        what + " is larger than 32 MiB, the limit (the largest request providers accept)");
  return Status::Ok();
}

Status ValidateText(const std::string& text, const std::string& what) {
  if (auto bad = FindInvalidUtf8(text))
    return Status::Usage(what + " is not valid UTF-8: bad byte at offset " + std::to_string(*bad));
  return Status::Ok();
}

Status LoadMessagesFile(const std::string& path, std::vector<Message>* out) {
  std::ifstream file;
  if (path != "-") {
    file.open(path);
    if (!file) return Status::Usage("--messages " + path + ": cannot read the file");
  }
  std::istream& in = path == "-" ? std::cin : file;
  std::string text;
  Status st = ReadAll(in, "--messages " + path, &text);
  if (!st.ok()) return st;
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded()) return Status::Usage("--messages " + path + ": not valid JSON");
  if (auto bad = ParseMessages(doc, out)) {
    if (!bad->index)
      return Status::Usage("--messages " + path +
                           ": expected a non-empty JSON array of {\"role\", \"content\"}");
    return Status::Usage("--messages " + path + ": element " + std::to_string(*bad->index) + " " +
                         bad->problem);
  }
  return Status::Ok();
}

// Reads every --data document (`-` is standard input), each capped and
// checked as UTF-8, before anything is sent.
Status LoadData(const CompleteOptions& o, std::vector<std::string>* out) {
  bool stdin_used = false;
  for (const std::string& path : o.data_files) {
    const std::string what = "--data " + path;
    std::string text;
    if (path == "-") {
      if (stdin_used)
        return Status::Usage("--data - is given twice; standard input can be read once");
      stdin_used = true;
      Status st = ReadAll(std::cin, "--data - (standard input)", &text);
      if (!st.ok()) return st;
    } else {
      std::ifstream in(path, std::ios::binary);
      if (!in) return Status::Usage(what + ": cannot read the file: " + std::strerror(errno));
      Status st = ReadAll(in, what, &text);
      if (!st.ok()) return st;
    }
    Status st = ValidateText(text, what);
    if (!st.ok()) return st;
    out->push_back(std::move(text));
  }
  return Status::Ok();
}

// The output checks of the flags; a bad schema or expression is exit 2.
// schema_file: --schema, else the template's schema, else empty.
Status LoadChecks(const CompleteOptions& o, const std::string& schema_file,
                  std::unique_ptr<OutputChecker>* out) {
  OutputCheckOptions c;
  c.expect_json = o.expect_json;
  c.expect_regex = o.expect_regex;
  c.deny_regex = o.deny_regex;
  if (!schema_file.empty()) {
    const std::string what =
        (o.schema_file.empty() ? "the template's schema " : "--schema ") + schema_file;
    std::ifstream in(schema_file, std::ios::binary);
    if (!in) return Status::Usage(what + ": cannot read the file: " + std::strerror(errno));
    std::string text;
    Status st = ReadAll(in, what, &text);
    if (!st.ok()) return st;
    nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_discarded()) return Status::Usage(what + ": not valid JSON");
    c.schema = std::move(doc);
    c.schema_label = what;
  }
  if (o.schema_retries < 0 || o.schema_retries > 10)
    return Status::Usage("--schema-retries " + std::to_string(o.schema_retries) +
                         " is invalid: expected 0 to 10");
  return OutputChecker::Create(c, out);
}

// Whether bytes are waiting on a piped or redirected standard input (a
// terminal or /dev/null never counts).
bool StdinHasData() {
  struct stat st {};
  if (::fstat(STDIN_FILENO, &st) != 0) return false;
  if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) {
    int waiting = 0;
    return ::ioctl(STDIN_FILENO, FIONREAD, &waiting) == 0 && waiting > 0;
  }
  return S_ISREG(st.st_mode) && st.st_size > ::lseek(STDIN_FILENO, 0, SEEK_CUR);
}

// Builds the messages from --messages, stdin and the arguments. System and
// developer messages move to request.system, which every protocol supports.
Status BuildRequest(const CompleteOptions& o, const TemplateUse* use, ChatRequest* r) {
  std::vector<std::string> args;
  // A template whose prompt needs no input is complete without one.
  bool read_stdin =
      o.prompt.empty() && o.messages_file.empty() && (!use || TemplateTakesInput(use->tmpl));
  for (const std::string& a : o.prompt) {
    if (a == "-") read_stdin = true;
    else args.push_back(a);
  }
  const bool data_from_stdin =
      std::find(o.data_files.begin(), o.data_files.end(), "-") != o.data_files.end();
  if (read_stdin && data_from_stdin)
    return Status::Usage(
        "--data - reads standard input, so the prompt cannot: give it as arguments");
  if (data_from_stdin && o.messages_file == "-")
    return Status::Usage(
        "--data - and --messages - both read standard input; give one of them as a file");
  if (read_stdin && o.messages_file == "-")
    return Status::Usage(
        "--messages - and the prompt both read standard input; give the prompt as arguments");
  std::vector<Message> messages;
  if (!o.messages_file.empty()) {
    Status st = LoadMessagesFile(o.messages_file, &messages);
    if (!st.ok()) return st;
  }
  // A script in a `while read` loop must keep its input: arguments alone
  // never consume standard input, but a user who piped data probably meant
  // it to be part of the prompt.
  if (!read_stdin && o.messages_file != "-" && !data_from_stdin && StdinHasData())
    spdlog::warn(
        "standard input was ignored: the prompt is the arguments alone; add '-' among them to include "
        "standard input (e.g. llmctl complete - \"{}\")",
        args.empty() ? "..." : args.front().substr(0, 40));
  std::string prompt;
  if (read_stdin) {
    Status st = ReadAll(std::cin, "standard input", &prompt);
    if (!st.ok()) return st;
    while (!prompt.empty() && prompt.back() == '\n') prompt.pop_back();
  }
  std::string joined;
  for (const std::string& a : args) joined += (joined.empty() ? "" : " ") + a;
  if (!joined.empty()) prompt += (prompt.empty() ? "" : "\n\n") + joined;
  if (prompt.size() > kMaxPromptBytes)
    return Status::Usage("prompt is " + std::to_string(prompt.size()) +
                         " bytes; the limit is 32 MiB (the largest request providers accept)");
  Status st = ValidateText(prompt, "prompt");
  if (!st.ok()) return st;
  std::string system = o.system;
  if (use) {
    std::string template_system;
    st = FillTemplate(use->tmpl, prompt, use->vars, &template_system, &prompt);
    if (!st.ok()) return st;
    st = ValidateText(template_system + prompt, "template " + use->tmpl.name);
    if (!st.ok()) return st;
    if (system.empty()) system = template_system;  // -s overrides the template
  }
  if (!prompt.empty()) messages.push_back({"user", prompt});

  for (const Message& m : messages) {
    Status valid = ValidateText(m.content, "--messages content");
    if (!valid.ok()) return valid;
  }
  std::vector<Message> turns;
  FoldSystemMessages(messages, &system, &turns);
  st = ValidateText(system, "--system");
  if (!st.ok()) return st;
  if (!HasText(turns))
    return Status::Usage(
        "empty prompt: give it as arguments, on standard input, or with --messages");
  r->system = system;
  r->messages = std::move(turns);
  return Status::Ok();
}

// Loads -t NAME with its -V values; the template's settings fill the flags
// not given, so flags override the template and the template overrides the
// environment and the config file.
Status UseTemplate(const CompleteOptions& o, const Environment& env, CallFlags* call,
                   std::optional<TemplateUse>* use) {
  if (o.template_name.empty()) {
    if (!o.template_vars.empty())
      return Status::Usage("-V sets template variables; it needs -t NAME");
    return Status::Ok();
  }
  if (!o.messages_file.empty())
    return Status::Usage("-t and --messages cannot be combined: a template makes the messages");
  TemplateUse u;
  Status st = LoadTemplate(TemplateDirectory(env), o.template_name, &u.tmpl);
  if (!st.ok()) return st;
  for (const std::string& v : o.template_vars) {
    st = ParseTemplateVar(v, &u.vars);
    if (!st.ok()) return st;
  }
  if (u.tmpl.model && call->model.empty() && call->provider.empty()) call->model = *u.tmpl.model;
  char number[32];
  if (u.tmpl.temperature && !call->temperature) {
    std::snprintf(number, sizeof number, "%.17g", *u.tmpl.temperature);
    call->temperature = number;
  }
  if (u.tmpl.max_tokens && !call->max_tokens) call->max_tokens = std::to_string(*u.tmpl.max_tokens);
  *use = std::move(u);
  return Status::Ok();
}

Status RunComplete(const CompleteOptions& o, const GlobalOptions& g) {
  const Environment env = ProcessEnvironment();
  if (!o.conversation.empty() && !o.messages_file.empty())
    return Status::Usage(
        "--conversation takes one prompt (arguments or standard input), not a --messages file");
  if (o.fit && o.messages_file.empty())
    return Status::Usage(
        "--fit applies the sliding window to a --messages file; give one (a conversation is always fitted)");
  CallFlags call = o.call;
  std::optional<TemplateUse> use;
  Status st = UseTemplate(o, env, &call, &use);
  if (!st.ok()) return st;
  Settings settings;
  st = LoadCallSettings(call, env, g.config_path, &settings);
  if (!st.ok()) return st;

  PriceTable prices;
  st = LoadPriceTable(settings, &prices);
  if (!st.ok()) return st;
  CallSpec spec;
  st = ChooseModel(call, settings, prices, &spec.primary);
  if (!st.ok()) return st;
  st = ChooseFallbacks(call, settings, &spec.fallbacks);
  if (!st.ok()) return st;
  spec.user = settings.user;
  spec.tags = settings.tags;
  spec.allow_truncated = o.allow_truncated;
  spec.request.max_tokens = settings.max_tokens;
  spec.request.temperature = settings.temperature;
  spec.request.stream = o.stream;
  st = BuildRequest(o, use ? &*use : nullptr, &spec.request);
  if (!st.ok()) return st;
  std::optional<AuditConfig> audit;
  st = LoadAuditConfig(settings, &audit);
  if (!st.ok()) return st;
  st = LoadData(o, &spec.data);
  if (!st.ok()) return st;
  std::unique_ptr<OutputChecker> checks;
  std::string schema_file = o.schema_file;
  if (schema_file.empty() && use && use->tmpl.schema) {
    // A relative path is read from the templates directory, beside the template.
    schema_file = *use->tmpl.schema;
    if (schema_file.front() != '/') schema_file = TemplateDirectory(env) + "/" + schema_file;
  }
  st = LoadChecks(o, schema_file, &checks);
  if (!st.ok()) return st;
  if (checks->active()) spec.checks = checks.get();
  if (const JsonSchema* schema = checks->schema())
    spec.request.response_schema = schema->document();
  spec.schema_retries = o.schema_retries;

  PipelineContext ctx;
  ctx.settings = &settings;
  ctx.env = &env;
  ctx.prices = &prices;
  if (audit) ctx.audit = &*audit;
  // The history is part of the request the plan estimates and keys the
  // cache on, so it is attached before the plan is made.
  Database db;
  if (!o.conversation.empty()) {
    st = db.Open(settings.db_path, DatabaseOptionsFor(settings));
    if (!st.ok()) return st;
    const auto history_start = std::chrono::steady_clock::now();
    st = AttachConversation(db, settings, prices, o.conversation, &spec);
    if (!st.ok()) return st;
    spdlog::debug(
        "stage history_ms={:.3f} messages={}",
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - history_start)
            .count(),
        spec.request.messages.size());
  } else if (o.fit) {
    FitRequestToWindow(settings, prices, &spec);
  }
  if (spec.history_dropped > 0)
    spdlog::info("{} oldest message{} left out to fit the window", spec.history_dropped,
                 spec.history_dropped == 1 ? " was" : "s were");
  CallPlan plan;
  st = MakeCallPlan(ctx, spec, &plan);
  if (!st.ok()) return st;
  if (o.conversation.empty()) {
    st = db.Open(settings.db_path, DatabaseOptionsFor(settings));
    if (!st.ok()) return st;
  }
  ctx.db = &db;
  st = OpenStateStoreFactory(settings, &ctx.make_state_store);
  if (!st.ok()) return st;
  if (o.dry_run) {
    nlohmann::json report;
    Status verdict = DryRun(ctx, plan, &report);
    if (!report.is_null() && (spec.conversation || o.fit))
      report["history_dropped"] = spec.history_dropped;
    if (!report.is_null())
      std::cout << report.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                << std::endl;
    return verdict;
  }
  ctx.cancelled = &g_cancelled;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  // A reader that goes away (`| head -c 5`) must not kill the process
  // before the call is recorded and its reservation settled: the write
  // fails with EPIPE instead, and the call is aborted like an interrupt.
  std::signal(SIGPIPE, SIG_IGN);

  std::string last_piece;
  bool stdout_closed = false;
  // A conversation and the audit store keep the answer, so it is kept even
  // when streamed.
  if (o.stream && !o.json && o.conversation.empty() && !audit) {
    ctx.keep_streamed_text = false;  // printed as it arrives, not needed again
    ctx.on_text = [&](std::string_view piece) {
      if (stdout_closed) return;
      if (std::fwrite(piece.data(), 1, piece.size(), stdout) != piece.size() ||
          std::fflush(stdout) != 0) {
        stdout_closed = true;
        g_cancelled.store(true);
        return;
      }
      if (!piece.empty()) last_piece = std::string(piece.substr(piece.size() - 1));
    };
  }
  AuditCipherSetup cipher_setup(ctx.audit != nullptr);
  CallOutcome outcome;
  Status written = RunCall(ctx, plan, &outcome);
  if (o.json) {
    nlohmann::json j = outcome.record.ToJson();
    // The record printed must not claim a success its storing failed.
    if (!written.ok() && j["error"].is_null()) j["error"] = written.message();
    j["text"] = outcome.withheld ? "" : outcome.text;
    std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
  } else if (o.stream) {
    if (outcome.text_emitted && last_piece != "\n") std::fputs("\n", stdout);
  } else if (!outcome.text.empty() && !outcome.withheld) {
    std::fwrite(outcome.text.data(), 1, outcome.text.size(), stdout);
    if (outcome.text.back() != '\n') std::fputs("\n", stdout);
  }
  std::fflush(stdout);
  if (!written.ok()) return written;
  if (stdout_closed && outcome.status.code() == StatusCode::kInterrupted)
    return Status::Interrupted(
        "standard output was closed while the answer streamed; the request was aborted "
        "and recorded with the tokens it was billed for");
  return outcome.status;
}

}  // namespace

void AddCompleteCommand(CLI::App& app, CommandContext& ctx) {
  auto o = std::make_shared<CompleteOptions>();
  CLI::App* cmd = app.add_subcommand(
      "complete", "Send one prompt through every guardrail and print the answer");
  cmd->add_option("prompt", o->prompt, "Prompt words (none or '-' reads standard input)");
  cmd->add_option("-m,--model", o->call.model, "Model, as MODEL or PROVIDER:MODEL");
  cmd->add_option("-p,--provider", o->call.provider,
                  "Provider: " + BuiltinProviderNames() + " or a configured endpoint");
  cmd->add_option("-s,--system", o->system, "System prompt");
  cmd->add_option("--messages", o->messages_file,
                  "JSON file ('-' = standard input): an array of {role, content} in OpenAI form");
  cmd->add_option("-u,--user", o->call.user,
                  "User id for limits and records (default $LLMCTL_USER, $USER)");
  cmd->add_option("--max-tokens", o->call.max_tokens, "Max output tokens (LLM_MAX_TOKENS)");
  cmd->add_option("--temperature", o->call.temperature,
                  "Sampling temperature 0-2 (LLM_TEMPERATURE)");
  AddAttemptFlags(cmd, &o->call);
  cmd->add_flag("--stream", o->stream, "Stream the answer as it arrives (default: off)");
  cmd->add_flag_callback(
      "--no-stream", [o] { o->stream = false; }, "Wait for the whole answer (the default)");
  cmd->add_flag("--json", o->json, "Print the call record plus \"text\" as one JSON object");
  cmd->add_option("--cache", o->call.cache, "Cache mode: auto, off, refresh, only (LLM_CACHE)");
  cmd->add_option(
         "--tag", o->call.tags,
         "Tag the call record KEY=VALUE for cost-report --by tag:KEY, repeatable (LLMCTL_TAGS)")
      ->allow_extra_args(false);
  cmd->add_flag("--dry-run", o->dry_run, "Print the request and the estimate; send nothing");
  cmd->add_flag("--allow-truncated", o->allow_truncated,
                "Exit 0 even when the answer hit max tokens");
  cmd->add_option("--data", o->data_files,
                  "Untrusted document, spotlighted; repeatable, - = standard input")
      ->allow_extra_args(false);
  cmd->add_option("--schema", o->schema_file,
                  "JSON Schema the answer must match (requested natively, checked locally)");
  cmd->add_option("--schema-retries", o->schema_retries,
                  "Re-asks after an answer fails the schema (default 1)");
  cmd->add_flag("--expect-json", o->expect_json, "The answer must be one JSON document");
  cmd->add_option("--expect-regex", o->expect_regex,
                  "The answer must match this RE2 expression; repeatable")
      ->allow_extra_args(false);
  cmd->add_option("--deny-regex", o->deny_regex,
                  "The answer must not match this RE2 expression; repeatable")
      ->allow_extra_args(false);
  cmd->add_option(
      "-C,--conversation", o->conversation,
      "Continue the named conversation: its history is sent, and the new turn kept after a success");
  cmd->add_flag("--fit", o->fit,
                "Drop the oldest messages of --messages until the request fits the window");
  cmd->add_option("-t,--template", o->template_name,
                  "Use the template NAME ($XDG_CONFIG_HOME/llmctl/templates/NAME.toml)");
  cmd->add_option("-V,--var", o->template_vars, "Template variable KEY=VALUE, repeatable")
      ->allow_extra_args(false);
  cmd->callback([o, &ctx] { ctx.run = [o, &ctx] { return RunComplete(*o, ctx.globals); }; });
}

}  // namespace llmctl
