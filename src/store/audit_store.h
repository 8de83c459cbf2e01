// The audit store: one sealed (AES-256-GCM) entry per call, keyed by the
// call's request id. Only ciphertext and its nonce are written; the key
// never reaches the database.
#pragma once

#include <cstdint>
#include <string>

#include "store/database.h"
#include "util/aes_gcm.h"
#include "util/status.h"

namespace llmctl {

struct AuditRow {
  std::string request_id;
  int64_t created_ms = 0;
  SealedEntry sealed;
};

// Stores row and, in the same transaction, deletes entries created before
// prune_before_ms (0: none), so the store never outgrows its retention.
Status PutAuditEntry(Database& db, const AuditRow& row, int64_t prune_before_ms);

// The entry of request_id; *found is false when there is none.
Status GetAuditEntry(Database& db, const std::string& request_id, AuditRow* row, bool* found);

}  // namespace llmctl
