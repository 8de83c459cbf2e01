#include "util/hash.h"

#include <doctest/doctest.h>

using namespace llmctl;

TEST_CASE("sha1, sha256 and hmac match published vectors") {
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(Sha1Hex("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
  // RFC 4231 test case 2.
  CHECK(HmacSha256Hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("uuid v7 has version and variant bits and is unique") {
  std::string a = NewUuidV7(), b = NewUuidV7();
  CHECK(a.size() == 36);
  CHECK(a[14] == '7');
  CHECK((a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b'));
  CHECK(a != b);
}

TEST_CASE("random hex has the asked length, hex digits only, and differs per call") {
  std::string a = RandomHex(32), b = RandomHex(32);
  CHECK(a.size() == 32);
  CHECK(RandomHex(17).size() == 17);
  CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(a != b);
}
