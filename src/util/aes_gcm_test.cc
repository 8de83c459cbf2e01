#include "util/aes_gcm.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

using namespace llmctl;

namespace {

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

std::string Hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

AesKey KeyFromHex(std::string_view hex) {
  AesKey key{};
  const std::string bytes = Unhex(hex);
  std::copy(bytes.begin(), bytes.end(), key.begin());
  return key;
}

}  // namespace

// McGrew and Viega, "The Galois/Counter Mode of Operation", the test cases
// with 256-bit keys that NIST's GCM validation reproduces.
TEST_CASE("AES-256-GCM known answers: test cases 13, 14 and 16") {
  const AesKey zero{};
  const std::string zero_nonce(12, '\0');
  SealedEntry e;
  REQUIRE(GcmSealWithNonce(zero, zero_nonce, "", "", &e).ok());
  CHECK(Hex(e.ciphertext) == "530f8afbc74536b9a963b4f1c4cb738b");

  REQUIRE(GcmSealWithNonce(zero, zero_nonce, "", std::string(16, '\0'), &e).ok());
  CHECK(Hex(e.ciphertext) ==
        "cea7403d4d606b6e074ec5d3baf39d18"
        "d0d1c8a799996bf0265b98b5d48ab919");

  const AesKey key = KeyFromHex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
  const std::string plain = Unhex(
      "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
      "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
  const std::string aad = Unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
  REQUIRE(GcmSealWithNonce(key, Unhex("cafebabefacedbaddecaf888"), aad, plain, &e).ok());
  CHECK(Hex(e.ciphertext) ==
        "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
        "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
        "76fc6ece0f4e1768cddf8853bb2d551b");
  std::string opened;
  REQUIRE(GcmOpen(key, aad, e, &opened).ok());
  CHECK(opened == plain);
}

TEST_CASE("a sealed entry opens only under its key, its nonce and its associated data") {
  AesKey key{};
  key[0] = 7;
  SealedEntry e;
  REQUIRE(GcmSeal(key, "request-1", "the prompt and the answer", &e).ok());
  CHECK(e.nonce.size() == kGcmNonceBytes);
  CHECK(e.ciphertext.size() == 25 + kGcmTagBytes);
  CHECK(e.ciphertext.find("prompt") == std::string::npos);
  std::string plain = "left over";
  REQUIRE(GcmOpen(key, "request-1", e, &plain).ok());
  CHECK(plain == "the prompt and the answer");

  AesKey other = key;
  other[31] ^= 1;
  CHECK(GcmOpen(other, "request-1", e, &plain).code() == StatusCode::kConfig);
  CHECK(plain.empty());
  CHECK(GcmOpen(key, "request-2", e, &plain).code() == StatusCode::kConfig);
  SealedEntry tampered = e;
  tampered.ciphertext[3] ^= 0x20;
  CHECK(GcmOpen(key, "request-1", tampered, &plain).code() == StatusCode::kConfig);
  CHECK(plain.empty());
  tampered = e;
  tampered.ciphertext.back() ^= 1;  // the tag itself
  CHECK_FALSE(GcmOpen(key, "request-1", tampered, &plain).ok());
  tampered = e;
  tampered.ciphertext.resize(5);
  CHECK_FALSE(GcmOpen(key, "request-1", tampered, &plain).ok());
}

TEST_CASE("every entry gets a fresh nonce") {
  const AesKey key{};
  SealedEntry a, b;
  REQUIRE(GcmSeal(key, "id", "same text", &a).ok());
  REQUIRE(GcmSeal(key, "id", "same text", &b).ok());
  CHECK(a.nonce != b.nonce);
  CHECK(a.ciphertext != b.ciphertext);
}
