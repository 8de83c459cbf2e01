// `llmctl cache stats|clear|prune|export|import`: look after the response
// cache; export/import move it as JSONL cassettes for hermetic CI replays.
#include <fstream>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "commands/command.h"
#include "config/settings.h"
#include "pipeline/open_state_store.h"
#include "records/call_record.h"
#include "records/money.h"
#include "store/database.h"
#include "util/time_format.h"

namespace llmctl {
namespace {

struct CacheOptions {
  bool json = false;
  std::string file;  // export: output (default stdout); import: input ("-" = stdin)
};

// The cache of the state store in use: the fleet's Redis when configured.
// stats and export only read: they neither create nor write the file.
Status OpenCache(const GlobalOptions& g, Settings* s, Database* db, bool write,
                 std::unique_ptr<StateStore>* state) {
  Status st = LoadSettings(ProcessEnvironment(), g.config_path, s);
  if (!st.ok()) return st;
  const DatabaseOptions options = DatabaseOptionsFor(*s);
  st = write ? db->Open(s->db_path, options) : db->OpenForReading(s->db_path, options);
  if (!st.ok()) return st;
  return OpenStateStore(*s, *db, state);
}

Status RunStats(const CacheOptions& o, const GlobalOptions& g) {
  Settings s;
  Database db;
  std::unique_ptr<StateStore> state;
  Status st = OpenCache(g, &s, &db, false, &state);
  if (!st.ok()) return st;
  CacheStats stats;
  st = state->GetCacheStats(NowUnixMs(), &stats);
  if (!st.ok()) return st;
  if (o.json) {
    std::cout << nlohmann::json({{"entries", stats.entries},
                                 {"expired", stats.expired},
                                 {"hits", stats.hits},
                                 {"bytes", stats.bytes},
                                 {"saved_cost_usd", NanosToUsd(stats.saved_nanos)},
                                 {"namespace", s.cache_namespace},
                                 {"ttl_seconds", s.cache_ttl_seconds},
                                 {"mode", CacheModeName(s.cache_mode)},
                                 {"state_backend", state->backend()}})
                     .dump(2)
              << std::endl;
  } else {
    std::printf(
        "entries  %lld (%lld expired)\nhits     %lld\nbytes    %lld\nsaved    $%s\n"
        "mode %s, namespace %s, ttl %llds, kept in %s\n",
        static_cast<long long>(stats.entries), static_cast<long long>(stats.expired),
        static_cast<long long>(stats.hits), static_cast<long long>(stats.bytes),
        FormatNanosFixed(stats.saved_nanos, 6).c_str(), CacheModeName(s.cache_mode),
        s.cache_namespace.c_str(), static_cast<long long>(s.cache_ttl_seconds), state->backend());
  }
  return Status::Ok();
}

Status RunClearOrPrune(bool prune, const GlobalOptions& g) {
  Settings s;
  Database db;
  std::unique_ptr<StateStore> state;
  Status st = OpenCache(g, &s, &db, true, &state);
  if (!st.ok()) return st;
  int64_t removed = 0;
  st = prune ? state->PruneCache(NowUnixMs(), &removed) : state->ClearCache(&removed);
  if (!st.ok()) return st;
  std::fprintf(stderr, "llmctl: removed %lld %scache entries\n", static_cast<long long>(removed),
               prune ? "expired " : "");
  return Status::Ok();
}

Status RunExport(const CacheOptions& o, const GlobalOptions& g) {
  Settings s;
  Database db;
  std::unique_ptr<StateStore> state;
  Status st = OpenCache(g, &s, &db, false, &state);
  if (!st.ok()) return st;
  int64_t count = 0;
  if (o.file.empty() || o.file == "-") {
    st = state->ExportCache(std::cout, &count);
    std::cout.flush();
  } else {
    // Written beside the target and renamed, so a failed export never
    // leaves half a cassette behind.
    const std::string tmp = o.file + ".tmp";
    std::ofstream out(tmp);
    if (!out) return Status::Usage("cannot write " + o.file);
    st = state->ExportCache(out, &count);
    out.close();
    if (st.ok() && (!out || std::rename(tmp.c_str(), o.file.c_str()) != 0))
      st = Status::Usage("cannot write " + o.file);
    if (!st.ok()) std::remove(tmp.c_str());
  }
  if (st.ok())
    std::fprintf(stderr, "llmctl: exported %lld cache entries\n", static_cast<long long>(count));
  return st;
}

Status RunImport(const CacheOptions& o, const GlobalOptions& g) {
  std::ifstream file;
  std::istream* in = &std::cin;
  std::string name = "stdin";
  if (!o.file.empty() && o.file != "-") {
    file.open(o.file);
    if (!file) return Status::Usage("cannot read " + o.file);
    in = &file;
    name = o.file;
  }
  Settings s;
  Database db;
  std::unique_ptr<StateStore> state;
  Status st = OpenCache(g, &s, &db, true, &state);
  if (!st.ok()) return st;
  int64_t imported = 0;
  std::vector<std::string> bad;
  st = state->ImportCache(*in, name, &imported, &bad);
  if (!st.ok()) return st;
  for (const std::string& b : bad) spdlog::warn("skipped {}", b);
  std::fprintf(stderr, "llmctl: imported %lld cache entries, skipped %zu bad lines\n",
               static_cast<long long>(imported), bad.size());
  if (!bad.empty())
    return Status::Usage(std::to_string(bad.size()) + " bad lines in " + name + " (listed above)");
  return Status::Ok();
}

}  // namespace

void AddCacheCommand(CLI::App& app, CommandContext& ctx) {
  auto o = std::make_shared<CacheOptions>();
  CLI::App* cmd = app.add_subcommand("cache", "Inspect and manage the response cache");
  cmd->require_subcommand(1);
  CLI::App* stats = cmd->add_subcommand("stats", "Entries, hits, size and cost saved");
  stats->add_flag("--json", o->json, "Print as JSON");
  stats->callback([o, &ctx] { ctx.run = [o, &ctx] { return RunStats(*o, ctx.globals); }; });
  cmd->add_subcommand("clear", "Remove every cache entry")->callback([&ctx] {
    ctx.run = [&ctx] { return RunClearOrPrune(false, ctx.globals); };
  });
  cmd->add_subcommand("prune", "Remove expired cache entries")->callback([&ctx] {
    ctx.run = [&ctx] { return RunClearOrPrune(true, ctx.globals); };
  });
  CLI::App* exp = cmd->add_subcommand("export", "Write the cache as JSONL (a cassette)");
  exp->add_option("-o,--output", o->file, "Output file (default standard output)");
  exp->callback([o, &ctx] { ctx.run = [o, &ctx] { return RunExport(*o, ctx.globals); }; });
  CLI::App* imp = cmd->add_subcommand("import", "Load cache entries from JSONL");
  imp->add_option("file", o->file, "JSONL file ('-' or none: standard input)");
  imp->callback([o, &ctx] { ctx.run = [o, &ctx] { return RunImport(*o, ctx.globals); }; });
}

}  // namespace llmctl
