#include "util/aes_gcm.h"

#include <sys/random.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <limits>
#include <memory>

namespace llmctl {
namespace {

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

bool FitsInt(size_t n) { return n <= static_cast<size_t>(std::numeric_limits<int>::max()); }

// Fetched once: an implicit fetch on every EVP_*Init would look it up each
// time. Kept for the life of the process.
const EVP_CIPHER* Aes256Gcm() {
  static const EVP_CIPHER* const cipher = [] {
    const EVP_CIPHER* fetched = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
    return fetched ? fetched : EVP_aes_256_gcm();
  }();
  return cipher;
}

// Straight from the kernel, as OpenSSL's own generator is seeded: that
// generator's per-process set-up is not paid for 12 bytes.
bool FreshNonce(unsigned char* nonce) {
  if (getrandom(nonce, kGcmNonceBytes, 0) == static_cast<ssize_t>(kGcmNonceBytes)) return true;
  return RAND_bytes(nonce, static_cast<int>(kGcmNonceBytes)) == 1;
}

}  // namespace

void PrepareGcm() { Aes256Gcm(); }

Status GcmSealWithNonce(const AesKey& key, std::string_view nonce, std::string_view aad,
                        std::string_view plaintext, SealedEntry* out) {
  if (nonce.size() != kGcmNonceBytes) return Status::Internal("AES-GCM nonce must be 12 bytes");
  if (!FitsInt(plaintext.size()) || !FitsInt(aad.size()))
    return Status::Internal("AES-GCM input too large");
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::string sealed(plaintext.size() + kGcmTagBytes, '\0');
  auto* dst = reinterpret_cast<unsigned char*>(sealed.data());
  int len = 0, final_len = 0;
  const bool ok =
      ctx && EVP_EncryptInit_ex(ctx.get(), Aes256Gcm(), nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kGcmNonceBytes, nullptr) == 1 &&
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), Bytes(nonce)) == 1 &&
      (aad.empty() || EVP_EncryptUpdate(ctx.get(), nullptr, &len, Bytes(aad),
                                        static_cast<int>(aad.size())) == 1) &&
      EVP_EncryptUpdate(ctx.get(), dst, &len, Bytes(plaintext),
                        static_cast<int>(plaintext.size())) == 1 &&
      EVP_EncryptFinal_ex(ctx.get(), dst + len, &final_len) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kGcmTagBytes, dst + plaintext.size()) ==
          1;
  if (!ok) return Status::Internal("AES-256-GCM encryption failed in OpenSSL");
  out->nonce = std::string(nonce);
  out->ciphertext = std::move(sealed);
  return Status::Ok();
}

Status GcmSeal(const AesKey& key, std::string_view aad, std::string_view plaintext,
               SealedEntry* out) {
  unsigned char nonce[kGcmNonceBytes];
  if (!FreshNonce(nonce))
    return Status::Internal(
        "the system's random number generator failed; no audit entry was written");
  return GcmSealWithNonce(key, std::string_view(reinterpret_cast<const char*>(nonce), sizeof nonce),
                          aad, plaintext, out);
}

Status GcmOpen(const AesKey& key, std::string_view aad, const SealedEntry& entry,
               std::string* plaintext) {
  plaintext->clear();
  const Status refused = Status::Config(
      "the entry cannot be decrypted: the key is not the one it was written with, or the stored bytes were changed");
  if (entry.nonce.size() != kGcmNonceBytes || entry.ciphertext.size() < kGcmTagBytes)
    return refused;
  const size_t n = entry.ciphertext.size() - kGcmTagBytes;
  if (!FitsInt(n) || !FitsInt(aad.size())) return refused;
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::string plain(n, '\0');
  auto* dst = reinterpret_cast<unsigned char*>(plain.data());
  std::string tag = entry.ciphertext.substr(n);
  int len = 0, final_len = 0;
  const bool ok =
      ctx && EVP_DecryptInit_ex(ctx.get(), Aes256Gcm(), nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kGcmNonceBytes, nullptr) == 1 &&
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), Bytes(entry.nonce)) == 1 &&
      (aad.empty() || EVP_DecryptUpdate(ctx.get(), nullptr, &len, Bytes(aad),
                                        static_cast<int>(aad.size())) == 1) &&
      EVP_DecryptUpdate(ctx.get(), dst, &len, Bytes(entry.ciphertext), static_cast<int>(n)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kGcmTagBytes, tag.data()) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), dst + len, &final_len) == 1;
  if (!ok) {
    // The unauthenticated plaintext is wiped, not just dropped.
    OPENSSL_cleanse(plain.data(), plain.size());
    return refused;
  }
  *plaintext = std::move(plain);
  return Status::Ok();
}

}  // namespace llmctl
