// AES-256-GCM through OpenSSL's EVP interface: authenticated encryption of
// one entry under a 32-byte key, with associated data that is checked on
// opening but not stored inside the sealed bytes.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace llmctl {

using AesKey = std::array<uint8_t, 32>;
constexpr size_t kGcmNonceBytes = 12;  // 96 bits, GCM's native nonce length
constexpr size_t kGcmTagBytes = 16;    // the full tag: shorter ones make forgeries easier

struct SealedEntry {
  std::string nonce;       // kGcmNonceBytes
  std::string ciphertext;  // as long as the plaintext, then the kGcmTagBytes tag
};

// OpenSSL's one-time set-up for this cipher: the first use in a process
// builds its table of the provider's ciphers (about a millisecond, far more
// than sealing an entry). Calling this on another thread while a request is
// in flight takes that off the call's path; sealing without it is correct,
// it just pays the set-up itself. Thread-safe; the work is done once.
void PrepareGcm();

// Encrypts plaintext under key with a fresh random nonce (a nonce must never
// repeat under one key; 96 random bits keep that true for far more entries
// than one database holds). aad is bound to the entry: opening it under
// other associated data fails.
Status GcmSeal(const AesKey& key, std::string_view aad, std::string_view plaintext,
               SealedEntry* out);

// The same with a given nonce; only for known-answer tests.
Status GcmSealWithNonce(const AesKey& key, std::string_view nonce, std::string_view aad,
                        std::string_view plaintext, SealedEntry* out);

// Decrypts and authenticates. A wrong key, a changed byte anywhere, or other
// associated data is a kConfig status and *plaintext is left empty: nothing
// of a forged or foreign entry is ever handed out.
Status GcmOpen(const AesKey& key, std::string_view aad, const SealedEntry& entry,
               std::string* plaintext);

}  // namespace llmctl
