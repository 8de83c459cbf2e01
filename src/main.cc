// llmctl: production guardrails around LLM API calls. main() parses the
// command line, sets up diagnostics on stderr, runs the chosen subcommand
// and maps its Status onto the exit codes of SPEC §5.
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "commands/command.h"
#include "util/log_setup.h"

int main(int argc, char** argv) {
  using namespace llmctl;
  CLI::App app("llmctl: production guardrails around every LLM API call", "llmctl");
  app.set_version_flag("--version", std::string("llmctl ") + LLMCTL_VERSION);
  app.require_subcommand(1);
  // Global options work after the command too: `llmctl complete -v --config f`.
  app.fallthrough();
  CommandContext ctx;
  app.add_option("--config", ctx.globals.config_path, "Config file (default $LLMCTL_CONFIG, ~/.config/llmctl/config.toml)");
  app.add_option("--log-format", ctx.globals.log_format, "Diagnostics format on stderr: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_flag("-v,--verbose", ctx.globals.verbosity, "More diagnostics (repeat for debug)");
  app.add_flag("-q,--quiet", ctx.globals.quiet, "Only errors on stderr");

  AddCompleteCommand(app, ctx);
  AddConfigCheckCommand(app, ctx);
  AddLogsCommand(app, ctx);
  AddCostReportCommand(app, ctx);
  AddLatencyStatsCommand(app, ctx);
  AddLimitsCommand(app, ctx);
  AddModelsCommand(app, ctx);
  AddCacheCommand(app, ctx);
  AddEvalCommand(app, ctx);
  AddTokensCommand(app, ctx);
  app.add_subcommand("help", "Show this help")->callback([&] {
    ctx.run = [&] {
      std::cout << app.help();
      return Status::Ok();
    };
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "llmctl: error: " << e.what() << " (run 'llmctl --help')\n";
    return static_cast<int>(StatusCode::kUsage);
  }

  SetupLogging(ctx.globals);
  Status st;
  try {
    st = ctx.run ? ctx.run() : Status::Usage("no command given (run 'llmctl --help')");
  } catch (const std::exception& e) {
    st = Status::Internal(std::string("internal error: ") + e.what() +
                          " (this is a bug; please report it)");
  }
  if (!st.ok()) spdlog::error("{}", st.message());
  spdlog::shutdown();
  return st.exit_code();
}
