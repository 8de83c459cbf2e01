// Hashing and identifiers, all backed by OpenSSL libcrypto.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace llmctl {

// Lower-case hex SHA-256 of data.
std::string Sha256Hex(std::string_view data);

// Lower-case hex SHA-1 of data: only where a protocol names things by it
// (Redis's EVALSHA), never for anything that must resist collisions.
std::string Sha1Hex(std::string_view data);

// Lower-case hex HMAC-SHA256 of data under key.
std::string HmacSha256Hex(std::string_view key, std::string_view data);

// A fresh UUID version 7 (time-ordered, so records sort by creation).
std::string NewUuidV7();

// `chars` lower-case hex characters from the kernel's random source, for
// values an attacker must not predict (spotlight boundaries, canaries).
std::string RandomHex(size_t chars);

// A seed for a pseudo-random generator (retry jitter), from the kernel's
// random source without std::random_device's per-use set-up.
uint64_t RandomSeed();

}  // namespace llmctl
