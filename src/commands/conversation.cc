// `llmctl conversation list|show NAME|rm NAME`: the user's stored
// conversations (the turns `complete -C NAME` kept).
#include <cstdio>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "commands/command.h"
#include "config/settings.h"
#include "store/conversation_store.h"
#include "store/database.h"
#include "util/time_format.h"

namespace llmctl {
namespace {

struct ConversationOptions {
  std::string user;
  std::string name;
  bool json = false;
};

void PrintJson(const nlohmann::json& j) {
  std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
}

// Loads the settings and opens the database: read-only (never creating a
// file) unless write.
Status Open(const ConversationOptions& o, const GlobalOptions& g, bool write, Database* db,
            std::string* user) {
  Settings s;
  Status st = LoadSettings(ProcessEnvironment(), g.config_path, &s);
  if (!st.ok()) return st;
  *user = o.user.empty() ? s.user : o.user;
  const DatabaseOptions options = DatabaseOptionsFor(s);
  bool exists = false;
  st = db->OpenForReading(s.db_path, options, &exists);
  if (!st.ok() || !write || !exists) return st;
  return db->Open(s.db_path, options);
}

Status NotFound(const std::string& name, const std::string& user) {
  return Status::Usage("no conversation \"" + name + "\" for user " + user +
                       " (llmctl conversation list shows them)");
}

Status RunList(const ConversationOptions& o, const GlobalOptions& g) {
  Database db;
  std::string user;
  Status st = Open(o, g, false, &db, &user);
  if (!st.ok()) return st;
  std::vector<Conversation> list;
  st = ConversationStore(db).List(user, &list);
  if (!st.ok()) return st;
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const Conversation& c : list)
      out.push_back({{"name", c.name},
                     {"user_id", user},
                     {"turns", c.turn_count},
                     {"created_at", FormatIsoUtcMs(c.created_ms)},
                     {"updated_at", FormatIsoUtcMs(c.updated_ms)}});
    PrintJson(out);
    return Status::Ok();
  }
  if (list.empty()) {
    std::cerr << "no conversations for user " << user
              << " (start one with llmctl complete -C NAME ...)\n";
    return Status::Ok();
  }
  std::printf("%-30s %6s  %s\n", "NAME", "TURNS", "UPDATED");
  for (const Conversation& c : list)
    std::printf("%-30s %6lld  %s\n", c.name.c_str(), static_cast<long long>(c.turn_count),
                FormatIsoUtcMs(c.updated_ms).c_str());
  return Status::Ok();
}

Status RunShow(const ConversationOptions& o, const GlobalOptions& g) {
  Database db;
  std::string user;
  Status st = Open(o, g, false, &db, &user);
  if (!st.ok()) return st;
  Conversation c;
  bool found = false;
  st = ConversationStore(db).Load(user, o.name, &c, &found);
  if (!st.ok()) return st;
  if (!found) return NotFound(o.name, user);
  if (o.json) {
    nlohmann::json turns = nlohmann::json::array();
    for (const ConversationTurn& t : c.turns)
      turns.push_back({{"seq", t.seq},
                       {"request_id", t.request_id},
                       {"model", t.model},
                       {"timestamp", FormatIsoUtcMs(t.ts_ms)},
                       {"prompt", t.prompt},
                       {"answer", t.answer}});
    PrintJson({{"name", c.name},
               {"user_id", user},
               {"system", c.system.empty() ? nlohmann::json() : nlohmann::json(c.system)},
               {"created_at", FormatIsoUtcMs(c.created_ms)},
               {"updated_at", FormatIsoUtcMs(c.updated_ms)},
               {"turns", turns}});
    return Status::Ok();
  }
  std::string out;
  if (!c.system.empty()) out += "## system\n" + c.system + "\n\n";
  for (const ConversationTurn& t : c.turns) {
    out += "## user (turn " + std::to_string(t.seq) + ", " + FormatIsoUtcMs(t.ts_ms) + ")\n" +
           t.prompt + "\n\n";
    out += "## assistant (" + t.model + ", " + t.request_id + ")\n" + t.answer + "\n\n";
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return Status::Ok();
}

Status RunRemove(const ConversationOptions& o, const GlobalOptions& g) {
  Database db;
  std::string user;
  Status st = Open(o, g, true, &db, &user);
  if (!st.ok()) return st;
  bool removed = false;
  st = ConversationStore(db).Remove(user, o.name, &removed);
  if (!st.ok()) return st;
  if (!removed) return NotFound(o.name, user);
  if (o.json) PrintJson({{"removed", o.name}, {"user_id", user}});
  return Status::Ok();
}

}  // namespace

void AddConversationCommand(CLI::App& app, CommandContext& ctx) {
  CLI::App* cmd = app.add_subcommand("conversation",
                                     "List, show or remove the conversations complete -C keeps");
  cmd->require_subcommand(1);
  auto add = [&](const char* name, const char* help, bool takes_name,
                 Status (*run)(const ConversationOptions&, const GlobalOptions&)) {
    auto o = std::make_shared<ConversationOptions>();
    CLI::App* sub = cmd->add_subcommand(name, help);
    if (takes_name) sub->add_option("name", o->name, "The conversation's name")->required();
    sub->add_option("-u,--user", o->user, "Whose conversations (default $LLMCTL_USER, $USER)");
    sub->add_flag("--json", o->json, "Print JSON");
    sub->callback([o, run, &ctx] { ctx.run = [o, run, &ctx] { return run(*o, ctx.globals); }; });
  };
  add("list", "The user's conversations, most recently used first", false, RunList);
  add("show", "Every turn of one conversation, oldest first", true, RunShow);
  add("rm", "Delete one conversation and its turns", true, RunRemove);
}

}  // namespace llmctl
