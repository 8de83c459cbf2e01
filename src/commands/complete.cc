// `llmctl complete`: one prompt through every guardrail.
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "commands/call_flags.h"
#include "commands/command.h"
#include "config/settings.h"
#include "pipeline/open_state_store.h"
#include "guardrails/pricing.h"
#include "pipeline/call_pipeline.h"
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
};

std::atomic<bool> g_cancelled{false};

void OnSignal(int) { g_cancelled.store(true); }

// Reads at most kMaxPromptBytes + 1 bytes: one byte past the cap proves the
// input too large without reading (or holding) the rest of it.
Status ReadAll(std::istream& in, const std::string& what, std::string* out) {
  out->clear();
  char buf[1 << 16];
  while (out->size() <= kMaxPromptBytes && in) {
    in.read(buf, static_cast<std::streamsize>(std::min(sizeof buf, kMaxPromptBytes + 1 - out->size())));
    out->append(buf, static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) return Status::Usage("cannot read " + what);
  if (out->size() > kMaxPromptBytes)
    return Status::Usage(what + " is larger than 32 MiB, the limit (the largest request providers accept)");
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
      return Status::Usage("--messages " + path + ": expected a non-empty JSON array of {\"role\", \"content\"}");
    return Status::Usage("--messages " + path + ": element " + std::to_string(*bad->index) + " " + bad->problem);
  }
  return Status::Ok();
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
Status BuildRequest(const CompleteOptions& o, ChatRequest* r) {
  std::vector<std::string> args;
  bool read_stdin = o.prompt.empty() && o.messages_file.empty();
  for (const std::string& a : o.prompt) {
    if (a == "-") read_stdin = true;
    else args.push_back(a);
  }
  if (read_stdin && o.messages_file == "-")
    return Status::Usage("--messages - and the prompt both read standard input; give the prompt as arguments");
  std::vector<Message> messages;
  if (!o.messages_file.empty()) {
    Status st = LoadMessagesFile(o.messages_file, &messages);
    if (!st.ok()) return st;
  }
  // A script in a `while read` loop must keep its input: arguments alone
  // never consume standard input, but a user who piped data probably meant
  // it to be part of the prompt.
  if (!read_stdin && o.messages_file != "-" && StdinHasData())
    spdlog::warn("standard input was ignored: the prompt is the arguments alone; add '-' among them to include "
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
  if (!prompt.empty()) messages.push_back({"user", prompt});

  for (const Message& m : messages) {
    Status valid = ValidateText(m.content, "--messages content");
    if (!valid.ok()) return valid;
  }
  std::string system = o.system;
  std::vector<Message> turns;
  FoldSystemMessages(messages, &system, &turns);
  st = ValidateText(system, "--system");
  if (!st.ok()) return st;
  if (!HasText(turns))
    return Status::Usage("empty prompt: give it as arguments, on standard input, or with --messages");
  r->system = system;
  r->messages = std::move(turns);
  return Status::Ok();
}

Status RunComplete(const CompleteOptions& o, const GlobalOptions& g) {
  const Environment env = ProcessEnvironment();
  Settings settings;
  Status st = LoadCallSettings(o.call, env, g.config_path, &settings);
  if (!st.ok()) return st;

  PriceTable prices;
  st = LoadPriceTable(settings, &prices);
  if (!st.ok()) return st;
  CallSpec spec;
  st = ChooseModel(o.call, settings, prices, &spec.primary);
  if (!st.ok()) return st;
  st = ChooseFallbacks(o.call, settings, &spec.fallbacks);
  if (!st.ok()) return st;
  spec.user = settings.user;
  spec.tags = settings.tags;
  spec.allow_truncated = o.allow_truncated;
  spec.request.max_tokens = settings.max_tokens;
  spec.request.temperature = settings.temperature;
  spec.request.stream = o.stream;
  st = BuildRequest(o, &spec.request);
  if (!st.ok()) return st;

  PipelineContext ctx;
  ctx.settings = &settings;
  ctx.env = &env;
  ctx.prices = &prices;
  CallPlan plan;
  st = MakeCallPlan(ctx, spec, &plan);
  if (!st.ok()) return st;
  Database db;
  st = db.Open(settings.db_path, DatabaseOptionsFor(settings));
  if (!st.ok()) return st;
  ctx.db = &db;
  st = OpenStateStoreFactory(settings, &ctx.make_state_store);
  if (!st.ok()) return st;
  if (o.dry_run) {
    nlohmann::json report;
    Status verdict = DryRun(ctx, plan, &report);
    if (!report.is_null())
      std::cout << report.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
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
  if (o.stream && !o.json) {
    ctx.keep_streamed_text = false;  // printed as it arrives, not needed again
    ctx.on_text = [&](std::string_view piece) {
      if (stdout_closed) return;
      if (std::fwrite(piece.data(), 1, piece.size(), stdout) != piece.size() || std::fflush(stdout) != 0) {
        stdout_closed = true;
        g_cancelled.store(true);
        return;
      }
      if (!piece.empty()) last_piece = std::string(piece.substr(piece.size() - 1));
    };
  }
  CallOutcome outcome;
  Status written = RunCall(ctx, plan, &outcome);
  if (o.json) {
    nlohmann::json j = outcome.record.ToJson();
    // The record printed must not claim a success its storing failed.
    if (!written.ok() && j["error"].is_null()) j["error"] = written.message();
    j["text"] = outcome.text;
    std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
  } else if (o.stream) {
    if (outcome.text_emitted && last_piece != "\n") std::fputs("\n", stdout);
  } else if (!outcome.text.empty()) {
    std::fwrite(outcome.text.data(), 1, outcome.text.size(), stdout);
    if (outcome.text.back() != '\n') std::fputs("\n", stdout);
  }
  std::fflush(stdout);
  if (!written.ok()) return written;
  if (stdout_closed && outcome.status.code() == StatusCode::kInterrupted)
    return Status::Interrupted("standard output was closed while the answer streamed; the request was aborted "
                               "and recorded with the tokens it was billed for");
  return outcome.status;
}

}  // namespace

void AddCompleteCommand(CLI::App& app, CommandContext& ctx) {
  auto o = std::make_shared<CompleteOptions>();
  CLI::App* cmd = app.add_subcommand("complete", "Send one prompt through every guardrail and print the answer");
  cmd->add_option("prompt", o->prompt, "Prompt words (none or '-' reads standard input)");
  cmd->add_option("-m,--model", o->call.model, "Model, as MODEL or PROVIDER:MODEL");
  cmd->add_option("-p,--provider", o->call.provider, "Provider: " + BuiltinProviderNames() + " or a configured endpoint");
  cmd->add_option("-s,--system", o->system, "System prompt");
  cmd->add_option("--messages", o->messages_file, "JSON file ('-' = standard input): an array of {role, content} in OpenAI form");
  cmd->add_option("-u,--user", o->call.user, "User id for limits and records (default $LLMCTL_USER, $USER)");
  cmd->add_option("--max-tokens", o->call.max_tokens, "Max output tokens (LLM_MAX_TOKENS)");
  cmd->add_option("--temperature", o->call.temperature, "Sampling temperature 0-2 (LLM_TEMPERATURE)");
  cmd->add_option("--timeout", o->call.timeout, "Per-attempt timeout in seconds (LLM_TIMEOUT_SECONDS)");
  // One value per --fallback, so the prompt after it is not taken as another.
  cmd->add_option("--fallback", o->call.fallbacks, "Fallback PROVIDER:MODEL, repeatable (LLM_FALLBACKS)")
      ->allow_extra_args(false);
  cmd->add_flag("--stream", o->stream, "Stream the answer as it arrives (default: off)");
  cmd->add_flag_callback("--no-stream", [o] { o->stream = false; }, "Wait for the whole answer (the default)");
  cmd->add_flag("--json", o->json, "Print the call record plus \"text\" as one JSON object");
  cmd->add_option("--cache", o->call.cache, "Cache mode: auto, off, refresh, only (LLM_CACHE)");
  cmd->add_option("--tag", o->call.tags, "Tag the call record KEY=VALUE for cost-report --by tag:KEY, repeatable (LLMCTL_TAGS)")
      ->allow_extra_args(false);
  cmd->add_flag("--dry-run", o->dry_run, "Print the request and the estimate; send nothing");
  cmd->add_flag("--allow-truncated", o->allow_truncated, "Exit 0 even when the answer hit max tokens");
  cmd->callback([o, &ctx] { ctx.run = [o, &ctx] { return RunComplete(*o, ctx.globals); }; });
}

}  // namespace llmctl
