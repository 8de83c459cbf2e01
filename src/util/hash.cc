#include "util/hash.h"

// The low-level SHA-256 functions skip OpenSSL 3's provider machinery, whose
// set-up costs about a millisecond in every process: a large share of a
// call's own overhead. Asking for the 1.1.1 API keeps them undeprecated.
#define OPENSSL_API_COMPAT 10101
#include <sys/random.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <random>

namespace llmctl {
namespace {

std::string ToHex(const unsigned char* bytes, size_t n) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0xf];
  }
  return out;
}

// Straight from the kernel: OpenSSL's DRBG costs a set-up per process.
void RandomBytes(unsigned char* b, size_t n) {
  if (getrandom(b, n, 0) != static_cast<ssize_t>(n)) {
    std::random_device rd;
    for (size_t i = 0; i < n; ++i) b[i] = static_cast<unsigned char>(rd());
  }
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, data.data(), data.size());
  SHA256_Final(digest, &ctx);
  return ToHex(digest, sizeof digest);
}

std::string Sha1Hex(std::string_view data) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA_CTX ctx;
  SHA1_Init(&ctx);
  SHA1_Update(&ctx, data.data(), data.size());
  SHA1_Final(digest, &ctx);
  return ToHex(digest, sizeof digest);
}

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &len);
  return ToHex(digest, len);
}

std::string NewUuidV7() {
  unsigned char b[16];
  RandomBytes(b, sizeof b);
  const uint64_t ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count());
  for (int i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>(ms >> (40 - 8 * i));
  b[6] = static_cast<unsigned char>(0x70 | (b[6] & 0x0f));
  b[8] = static_cast<unsigned char>(0x80 | (b[8] & 0x3f));
  std::string hex = ToHex(b, sizeof b);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

uint64_t RandomSeed() {
  unsigned char b[8];
  RandomBytes(b, sizeof b);
  uint64_t seed = 0;
  for (unsigned char byte : b) seed = seed << 8 | byte;
  return seed;
}

std::string RandomHex(size_t chars) {
  std::string bytes((chars + 1) / 2, '\0');
  RandomBytes(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size());
  return ToHex(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()).substr(0, chars);
}

}  // namespace llmctl
