// `llmctl logs`: the stored call records as JSONL, oldest first, exactly as
// they were emitted; `--follow` keeps printing new ones; `logs prune`
// deletes old ones.
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <deque>
#include <memory>
#include <thread>

#include "commands/command.h"
#include "commands/fleet_records.h"
#include "commands/number_flags.h"
#include "config/settings.h"
#include "records/record_export.h"
#include "records/record_source.h"
#include "util/time_format.h"

namespace llmctl {
namespace {

constexpr auto kFollowPoll = std::chrono::milliseconds(200);

volatile std::sig_atomic_t g_stop_following = 0;
void OnStopSignal(int) { g_stop_following = 1; }

struct LogsOptions {
  std::string since;
  std::string until;
  std::string user;
  std::string model;
  int64_t last = 0;
  std::string request_id;
  bool follow = false;
  std::string source = "local";
};

struct PruneOptions {
  std::string older_than;
};

// Opens for reading, or (write) for pruning a file that exists; *exists
// says whether there is a file at all.
Status OpenDatabase(const GlobalOptions& g, Database* db, bool* exists, bool write = false) {
  Settings settings;
  Status st = LoadSettings(ProcessEnvironment(), g.config_path, &settings);
  if (!st.ok()) return st;
  const DatabaseOptions options = DatabaseOptionsFor(settings);
  st = db->OpenForReading(settings.db_path, options, exists);
  if (!st.ok() || !write || !*exists) return st;
  return db->Open(settings.db_path, options);
}

Status RunLogs(const LogsOptions& o, const GlobalOptions& g) {
  RecordFilter filter;
  Status st = ParseTimeRange(o.since, o.until, NowUnixMs(), &filter);
  if (!st.ok()) return st;
  filter.user = o.user;
  filter.model = o.model;
  filter.request_id = o.request_id;
  // Following ends cleanly on Ctrl-C or a kill, like `tail -f`.
  if (o.follow) {
    std::signal(SIGINT, OnStopSignal);
    std::signal(SIGTERM, OnStopSignal);
  }
  int64_t printed = 0;
  const LineSink print = [follow = o.follow, &printed](const std::string& line) {
    ++printed;
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    if (follow) std::fflush(stdout);
  };

  if (st = CheckRecordSource(o.source, false); !st.ok()) return st;
  if (o.source == "redis") {
    if (o.follow)
      return Status::Usage("--follow reads the local database; drop it with --source redis");
    Settings settings;
    if (st = LoadSettings(ProcessEnvironment(), g.config_path, &settings); !st.ok()) return st;
    // -n keeps only the last N matching lines, so only those are held.
    std::deque<std::string> kept;
    st = ReadFleetRecords(settings, [&](const CallRecord& r, const std::string& line) {
      if (!filter.Matches(r)) return;
      if (o.last <= 0) return print(line);
      kept.push_back(line);
      if (static_cast<int64_t>(kept.size()) > o.last) kept.pop_front();
    });
    for (const std::string& line : kept) print(line);
    return st;
  }

  Database db;
  bool exists = false;
  if (st = OpenDatabase(g, &db, &exists); !st.ok()) return st;
  // No database yet: nothing was ever recorded. A follower waits for it.
  while (!exists && o.follow && !g_stop_following) {
    std::this_thread::sleep_for(kFollowPoll);
    if (st = OpenDatabase(g, &db, &exists); !st.ok()) return st;
  }
  // Asking for one record by id and getting nothing is an answer scripts
  // must be able to tell from an empty success.
  const Status not_found =
      Status::Usage("no call record has request id " + o.request_id +
                    " (check the id, and LLMCTL_DB: " + "it names the database searched)");
  if (!exists) return o.request_id.empty() ? Status::Ok() : not_found;

  int64_t max_id = 0;
  if (st = ExportRecords(db, filter, o.last, print, &max_id); !st.ok()) return st;
  std::fflush(stdout);
  if (!o.request_id.empty() && printed == 0 && !o.follow) return not_found;
  while (o.follow && !g_stop_following) {
    std::this_thread::sleep_for(kFollowPoll);
    if (st = ExportRecordsAfter(db, filter, max_id, print, &max_id); !st.ok()) return st;
  }
  return Status::Ok();
}

Status RunPrune(const PruneOptions& o, const GlobalOptions& g) {
  int64_t cutoff = 0;
  Status st = ParseTimeBound("--older-than", o.older_than, NowUnixMs(), &cutoff);
  if (!st.ok()) return st;
  Database db;
  bool exists = false;
  if (st = OpenDatabase(g, &db, &exists, true); !st.ok()) return st;
  int64_t deleted = 0;
  if (exists && !(st = PruneRecords(db, cutoff, &deleted)).ok()) return st;
  // The count is the command's answer, so it shows even without -v; stdout
  // stays empty for scripts.
  if (!g.quiet)
    std::fprintf(stderr, "llmctl: pruned %lld call record%s older than %s\n",
                 static_cast<long long>(deleted), deleted == 1 ? "" : "s",
                 FormatIsoUtcMs(cutoff).c_str());
  return Status::Ok();
}

}  // namespace

void AddLogsCommand(CLI::App& app, CommandContext& ctx) {
  auto o = std::make_shared<LogsOptions>();
  CLI::App* cmd = app.add_subcommand("logs", "Print stored call records as JSONL, oldest first");
  cmd->add_option(
      "--since", o->since,
      "Only records from this time: a duration back from now (24h, 7d) or a UTC date/time");
  cmd->add_option("--until", o->until, "Only records before this time (same forms as --since)");
  cmd->add_option("-u,--user", o->user, "Only this user id");
  cmd->add_option("-m,--model", o->model, "Only this model (as recorded, without the provider)");
  cmd->add_option("-n,--lines", o->last, "Only the last N records")
      ->check(StrictIntegerFlag())
      ->check(CLI::PositiveNumber);
  cmd->add_option("--request-id", o->request_id,
                  "Only the record with this request id (none found: exit 2)");
  cmd->add_flag("-f,--follow", o->follow,
                "Keep printing new records as they are written (stop with Ctrl-C)");
  cmd->add_option(
      "--source", o->source,
      "Records from: local (this machine's database) or redis (the whole fleet's stream)");

  auto p = std::make_shared<PruneOptions>();
  CLI::App* prune = cmd->add_subcommand("prune", "Delete call records older than a given age");
  prune
      ->add_option("--older-than", p->older_than,
                   "Age (90d, 12w) or UTC date; older records are deleted")
      ->required();
  prune->callback([p, &ctx] { ctx.run = [p, &ctx] { return RunPrune(*p, ctx.globals); }; });

  cmd->callback([o, prune, &ctx] {
    if (prune->parsed()) return;
    ctx.run = [o, &ctx] { return RunLogs(*o, ctx.globals); };
  });
}

}  // namespace llmctl
