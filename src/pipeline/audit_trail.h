// The audit trail: with LLMCTL_AUDIT_KEY_FILE set, each call's full request
// and answer are sealed under that key (the request id bound as associated
// data) and kept in the audit store, so a bad answer can be traced to the
// exact prompt and replayed. Without the key nothing is kept.
#pragma once

#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "config/settings.h"
#include "pipeline/call_pipeline.h"
#include "store/audit_store.h"
#include "store/database.h"
#include "util/aes_gcm.h"
#include "util/status.h"

namespace llmctl {

struct AuditConfig {
  AesKey key{};
  int64_t retention_days = 30;  // 0: kept forever
};

// OpenSSL's one-time set-up of the cipher (see PrepareGcm) on a thread of
// its own, started when the call is about to go out, so that it overlaps the
// request instead of adding to the call's time. Joined, and its time logged
// at debug level, when destroyed. Does nothing when `needed` is false: a
// call without the audit store pays nothing for it.
class AuditCipherSetup {
 public:
  explicit AuditCipherSetup(bool needed);
  ~AuditCipherSetup();
  AuditCipherSetup(const AuditCipherSetup&) = delete;
  AuditCipherSetup& operator=(const AuditCipherSetup&) = delete;

 private:
  double ms_ = 0;
  std::jthread thread_;
};

// Reads the key when LLMCTL_AUDIT_KEY_FILE is set (*out stays empty when it
// is not). A bad key file is a kConfig status, found before anything is
// sent; a key file others may read is warned about on stderr.
Status LoadAuditConfig(const Settings& settings, std::optional<AuditConfig>* out);

// Seals the call's request (as sent, history included) and its answer into
// the call's entry. No database work, so the record's write lock is not
// held while sealing.
Status SealAuditEntry(const AuditConfig& config, const CallSpec& spec, const CallOutcome& outcome,
                      AuditRow* row);

// Stores a sealed entry and deletes those past the retention; joins the
// caller's transaction when one is open.
Status StoreAuditEntry(Database& db, const AuditConfig& config, const AuditRow& row);

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
