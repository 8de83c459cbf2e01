// `llmctl audit show REQUEST_ID`: one call's request and answer from the
// encrypted audit store, decrypted with LLMCTL_AUDIT_KEY_FILE.
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "commands/command.h"
#include "config/settings.h"
#include "pipeline/audit_trail.h"
#include "store/database.h"

namespace llmctl {
namespace {

struct AuditShowOptions {
  std::string request_id;
};

Status RunAuditShow(const AuditShowOptions& o, const GlobalOptions& g) {
  Settings s;
  Status st = LoadSettings(ProcessEnvironment(), g.config_path, &s);
  if (!st.ok()) return st;
  std::optional<AuditConfig> audit;
  st = LoadAuditConfig(s, &audit);
  if (!st.ok()) return st;
  if (!audit)
    return Status::Config(
        "LLMCTL_AUDIT_KEY_FILE is not set: audit entries are encrypted and can be read only with "
        "the key they were written with");
  Database db;
  st = db.OpenForReading(s.db_path, DatabaseOptionsFor(s));
  if (!st.ok()) return st;
  nlohmann::json entry;
  st = ReadAuditEntry(db, audit->key, o.request_id, &entry);
  if (!st.ok()) return st;
  std::cout << entry.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
  return Status::Ok();
}

}  // namespace

void AddAuditCommand(CLI::App& app, CommandContext& ctx) {
  CLI::App* cmd =
      app.add_subcommand("audit", "Read the encrypted audit store (LLMCTL_AUDIT_KEY_FILE)");
  cmd->require_subcommand(1);
  auto o = std::make_shared<AuditShowOptions>();
  CLI::App* show =
      cmd->add_subcommand("show", "Decrypt and print one call's request and answer as JSON");
  show->add_option("request_id", o->request_id, "The call's request_id (from its record)")
      ->required();
  show->callback([o, &ctx] { ctx.run = [o, &ctx] { return RunAuditShow(*o, ctx.globals); }; });
}

}  // namespace llmctl
