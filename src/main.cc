// llmctl: production guardrails around LLM API calls. main() parses the
// command line, sets up diagnostics on stderr, runs the chosen subcommand
// and maps its Status onto the process exit code (one code per StatusCode,
// so scripts can tell a refusal from a failure).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <string_view>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "commands/command.h"
#include "util/did_you_mean.h"
#include "util/log_setup.h"

int main(int argc, char** argv) {
  using namespace llmctl;
  CLI::App app("llmctl: production guardrails around every LLM API call", "llmctl");
  app.set_version_flag("--version", std::string("llmctl ") + LLMCTL_VERSION);
  app.require_subcommand(1);
  // Global options work after the command too: `llmctl complete -v --config f`.
  app.fallthrough();
  CommandContext ctx;
  app.add_option("--config", ctx.globals.config_path,
                 "Config file (default $LLMCTL_CONFIG, ~/.config/llmctl/config.toml)");
  app.add_option("--log-format", ctx.globals.log_format,
                 "Diagnostics format on stderr: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_flag("-v,--verbose", ctx.globals.verbosity, "More diagnostics (repeat for debug)");
  app.add_flag("-q,--quiet", ctx.globals.quiet, "Only errors on stderr");

  // Building a command's options costs more than parsing them, and a call
  // runs one command: when the command line names one, only it is built.
  // Help, a typo or no command at all get every command.
  struct CommandEntry {
    const char* name;
    void (*add)(CLI::App&, CommandContext&);
  };
  static constexpr CommandEntry kCommands[] = {
      {"complete", AddCompleteCommand},
      {"config-check", AddConfigCheckCommand},
      {"logs", AddLogsCommand},
      {"cost-report", AddCostReportCommand},
      {"latency-stats", AddLatencyStatsCommand},
      {"limits", AddLimitsCommand},
      {"models", AddModelsCommand},
      {"cache", AddCacheCommand},
      {"eval", AddEvalCommand},
      {"tokens", AddTokensCommand},
      {"conversation", AddConversationCommand},
      {"template", AddTemplateCommand},
      {"audit", AddAuditCommand},
      {"replay", AddReplayCommand},
  };
  std::vector<std::string> command_names;
  for (const CommandEntry& c : kCommands) command_names.push_back(c.name);
  const CommandEntry* named = nullptr;
  for (int i = 1; i < argc && !named; ++i) {
    const std::string_view word = argv[i];
    if (word == "--config" || word == "--log-format") {
      ++i;
      continue;
    }
    if (word.starts_with("-")) continue;
    for (const CommandEntry& c : kCommands)
      if (word == c.name) named = &c;
    break;
  }
  if (named) {
    named->add(app, ctx);
  } else {
    for (const CommandEntry& c : kCommands) c.add(app, ctx);
  }
  // `llmctl help` prints the top-level help; `llmctl help COMMAND` exactly
  // what `llmctl COMMAND --help` prints (CLI11 renders that as the
  // subcommand's help under the "llmctl" prefix).
  std::string help_topic;
  CLI::App* help = app.add_subcommand(
      "help", "List the commands, or show one command's help: llmctl help COMMAND");
  help->add_option("command", help_topic, "The command to describe");
  help->callback([&] {
    ctx.run = [&]() -> Status {
      if (help_topic.empty()) {
        std::cout << app.get_formatter()->make_help(&app, "llmctl", CLI::AppFormatMode::Normal);
        return Status::Ok();
      }
      if (std::find(command_names.begin(), command_names.end(), help_topic) == command_names.end())
        return Status::Usage("unknown command \"" + help_topic +
                             "\" (run 'llmctl help' for the list)" +
                             DidYouMean(help_topic, command_names));
      std::cout << app.get_subcommand(help_topic)->help("llmctl");
      return Status::Ok();
    };
  });

  if (argc < 2) {
    std::cerr << app.help()
              << "llmctl: error: no command given (run 'llmctl help COMMAND' for one command)\n";
    return static_cast<int>(StatusCode::kUsage);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // The first word that is not an option is the command: a typo there
    // deserves the nearest command name.
    for (int i = 1; i < argc; ++i) {
      const std::string word = argv[i];
      if (word == "--config" || word == "--log-format") ++i;
      if (word.starts_with("-")) continue;
      if (std::find(command_names.begin(), command_names.end(), word) == command_names.end() &&
          word != "help") {
        std::cerr << "llmctl: error: unknown command \"" << word << "\""
                  << DidYouMean(word, command_names) << " (run 'llmctl help')\n";
        return static_cast<int>(StatusCode::kUsage);
      }
      break;
    }
    std::cerr << "llmctl: error: " << e.what() << " (run 'llmctl --help')\n";
    return static_cast<int>(StatusCode::kUsage);
  }

  SetupLogging({ctx.globals.log_format == "json", ctx.globals.verbosity, ctx.globals.quiet});
  Status st;
  try {
    st = ctx.run ? ctx.run() : Status::Usage("no command given (run 'llmctl --help')");
  } catch (const std::exception& e) {
    st = Status::Internal(std::string("internal error: ") + e.what() +
                          " (this is a bug; please report it)");
  }
  if (!st.ok()) spdlog::error("{}", st.message());
  spdlog::shutdown();
  const int code = st.exit_code();
  // The command has closed what it opened and its output is flushed here.
  // All exit would add is freeing memory the kernel takes back anyway and
  // OpenSSL's and libcurl's global teardown, a millisecond of a call's
  // time, so the process ends now. A sanitized build exits normally: its
  // leak check runs at exit.
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
#ifndef LLMCTL_SANITIZED
  std::_Exit(code);
#endif
  return code;
}
