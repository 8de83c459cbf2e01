// `llmctl tokens [FILE|-] [-m MODEL] [--json]`: the token count llmctl's
// guardrails use for a text and a model, so scripts can budget prompts.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "commands/call_flags.h"
#include "commands/command.h"
#include "config/settings.h"
#include "guardrails/pricing.h"
#include "guardrails/token_estimate.h"
#include "util/utf8.h"

namespace llmctl {
namespace {

// The same cap as `complete`'s prompt: nothing larger can be sent.
constexpr size_t kMaxInputBytes = 32u << 20;

struct TokensOptions {
  std::string file = "-";
  std::string model;
  bool json = false;
};

// Reads at most kMaxInputBytes + 64 KiB, so an oversized input is refused
// without being read whole.
Status ReadInput(const std::string& file, std::string* out) {
  std::ifstream f;
  std::istream* in = &std::cin;
  const std::string what = file == "-" ? "standard input" : file;
  if (file != "-") {
    f.open(file, std::ios::binary);
    if (!f) return Status::Usage(file + ": cannot read the file");
    in = &f;
  }
  // Chunks, not one 32 MiB buffer: zero-filling that would cost a 2 KB
  // prompt milliseconds.
  char chunk[1 << 16];
  out->clear();
  while (out->size() <= kMaxInputBytes && in->read(chunk, sizeof chunk).gcount() > 0)
    out->append(chunk, static_cast<size_t>(in->gcount()));
  if (in->bad()) return Status::Usage("cannot read " + what);
  if (out->size() > kMaxInputBytes)
    return Status::Usage(what + " is larger than 32 MiB, the largest prompt llmctl sends");
  if (auto bad = FindInvalidUtf8(*out))
    return Status::Usage(what + " is not valid UTF-8: bad byte at offset " + std::to_string(*bad));
  // `complete` drops the trailing newlines of a prompt read from standard
  // input; counting the same text keeps the two in agreement.
  while (!out->empty() && out->back() == '\n') out->pop_back();
  return Status::Ok();
}

Status RunTokens(const TokensOptions& o, const GlobalOptions& g) {
  const Environment env = ProcessEnvironment();
  Settings s;
  CallFlags flags;
  flags.model = o.model;
  Status st = LoadCallSettings(flags, env, g.config_path, &s);
  if (!st.ok()) return st;
  PriceTable prices;
  st = LoadPriceTable(s, &prices);
  if (!st.ok()) return st;
  ModelRef model;
  st = ChooseModel(flags, s, prices, &model);
  if (!st.ok()) return st;
  std::string text;
  st = ReadInput(o.file, &text);
  if (!st.ok()) return st;
  const TextTokens count = CountTextTokens(model.model, text);
  if (o.json) {
    nlohmann::json out = {
        {"tokens", count.tokens},
        {"exact", count.encoding.has_value()},
        {"encoding", count.encoding ? nlohmann::json(std::string(EncodingName(*count.encoding)))
                                    : nlohmann::json()},
        {"model", model.model}};
    std::cout << out.dump() << '\n';
  } else {
    std::printf("%lld\n", static_cast<long long>(count.tokens));
  }
  return Status::Ok();
}

}  // namespace

void AddTokensCommand(CLI::App& app, CommandContext& ctx) {
  auto o = std::make_shared<TokensOptions>();
  CLI::App* cmd = app.add_subcommand(
      "tokens",
      "Count the tokens of a text for a model: exact for OpenAI models, an estimate otherwise");
  cmd->add_option("file", o->file, "Text to count (default or '-': standard input)");
  cmd->add_option("-m,--model", o->model, "Model (provider:model or model; default LLM_MODEL)");
  cmd->add_flag("--json", o->json, "Print {\"tokens\", \"exact\", \"encoding\", \"model\"}");
  cmd->callback([o, &ctx] { ctx.run = [o, &ctx] { return RunTokens(*o, ctx.globals); }; });
}

}  // namespace llmctl
