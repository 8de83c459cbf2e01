// The command layer: each subcommand lives in its own file, registers its
// flags on the CLI11 app, and on selection stores a runner that returns a
// Status. main() turns that Status into the process exit code.
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "util/status.h"

namespace llmctl {

struct GlobalOptions {
  std::string config_path;          // --config
  std::string log_format = "text";  // --log-format text|json
  int verbosity = 0;                // -v (repeatable)
  bool quiet = false;               // -q
};

struct CommandContext {
  GlobalOptions globals;
  std::function<Status()> run;  // set by the chosen subcommand
};

void AddCompleteCommand(CLI::App& app, CommandContext& ctx);
void AddConfigCheckCommand(CLI::App& app, CommandContext& ctx);
void AddLogsCommand(CLI::App& app, CommandContext& ctx);
void AddCostReportCommand(CLI::App& app, CommandContext& ctx);
void AddLatencyStatsCommand(CLI::App& app, CommandContext& ctx);
void AddLimitsCommand(CLI::App& app, CommandContext& ctx);
void AddModelsCommand(CLI::App& app, CommandContext& ctx);
void AddCacheCommand(CLI::App& app, CommandContext& ctx);
void AddEvalCommand(CLI::App& app, CommandContext& ctx);
void AddTokensCommand(CLI::App& app, CommandContext& ctx);
void AddConversationCommand(CLI::App& app, CommandContext& ctx);
void AddTemplateCommand(CLI::App& app, CommandContext& ctx);
void AddAuditCommand(CLI::App& app, CommandContext& ctx);
void AddReplayCommand(CLI::App& app, CommandContext& ctx);

}  // namespace llmctl
