// The audit trail: with LLMCTL_AUDIT_KEY_FILE set, each call's full request
// and answer are sealed under that key (the request id bound as associated
// data) and kept in the audit store, so a bad answer can be traced to the
// exact prompt and replayed. Without the key nothing is kept.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "config/settings.h"
#include "pipeline/call_pipeline.h"
#include "store/database.h"
#include "util/aes_gcm.h"
#include "util/status.h"

namespace llmctl {

struct AuditConfig {
  AesKey key{};
  int64_t retention_days = 30;  // 0: kept forever
};

// Reads the key when LLMCTL_AUDIT_KEY_FILE is set (*out stays empty when it
// is not). A bad key file is a kConfig status, found before anything is
// sent; a key file others may read is warned about on stderr.
Status LoadAuditConfig(const Settings& settings, std::optional<AuditConfig>* out);

// Seals the call's request and answer into its entry, pruning entries past
// the retention in the same transaction.
Status WriteAuditEntry(Database& db, const AuditConfig& config, const CallSpec& spec,
                       const CallOutcome& outcome);

// The decrypted entry of request_id: {"request_id", "timestamp", "user_id",
// "request": {provider, model, system, messages, max_tokens, temperature,
// stop}, "answer": {text, provider, model, finish_reason, error}}. No entry
// is kUsage; a wrong key or a changed byte is kConfig, and *entry is then
// left empty.
Status ReadAuditEntry(Database& db, const AesKey& key, const std::string& request_id,
                      nlohmann::json* entry);

// The request an entry holds, ready to be sent again.
Status AuditedRequest(const nlohmann::json& entry, ModelRef* model, ChatRequest* request);

}  // namespace llmctl
