// The audit store's key (LLMCTL_AUDIT_KEY_FILE): read once, checked for its
// length and for who else may read it.
#pragma once

#include <string>

#include "util/aes_gcm.h"
#include "util/status.h"

namespace llmctl {

// Reads the 256-bit key from path. The file holds either exactly 32 bytes
// (the raw key, e.g. `head -c 32 /dev/urandom`) or 64 hex characters
// (`openssl rand -hex 32`); one trailing newline is ignored, as for every
// *_FILE secret. Anything else, a missing or unreadable file, or a
// symbolic link is a kConfig status naming the variable and the fix. A file
// that group or others may read is accepted with *warning set: the key
// protects every stored prompt, so it should be 0600.
Status LoadAuditKey(const std::string& path, AesKey* key, std::string* warning);

}  // namespace llmctl
