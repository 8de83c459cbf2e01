#include "util/secret_scrubber.h"

#include <doctest/doctest.h>

#include <string>

namespace llmctl {
namespace {

const std::string kKey = "sk-proj-Zq81LmNoPqRsTuVwXyZ0123456789abcd";

}  // namespace

TEST_CASE("scrubber masks a registered secret wherever it appears") {
  SecretScrubber s;
  s.Add(kKey);
  CHECK(s.Scrub("key " + kKey + " is invalid; " + kKey) == "key sk-…abcd is invalid; sk-…abcd");
  CHECK(s.Scrub("nothing secret here") == "nothing secret here");
}

TEST_CASE("scrubber masks start and end fragments of at least 8 characters") {
  SecretScrubber s;
  s.Add(kKey);
  // A provider excerpt cut in the middle of the echoed key.
  const std::string cut = "{\"error\":\"bad key " + kKey.substr(0, 29);
  std::string out = s.Scrub(cut);
  CHECK(out.find(kKey.substr(0, 8)) == std::string::npos);
  CHECK(out == "{\"error\":\"bad key sk-…abcd");
  // The end of the key after a cut start.
  out = s.Scrub("…" + kKey.substr(kKey.size() - 12) + "\" rejected");
  CHECK(out.find(kKey.substr(kKey.size() - 8)) == std::string::npos);
  CHECK(out == "…sk-…abcd\" rejected");
  // Seven characters are left alone: too short to tell from ordinary text.
  CHECK(s.Scrub("prefix sk-proj only") == "prefix sk-proj only");
}

TEST_CASE("scrubber ignores short secrets and handles several") {
  SecretScrubber s;
  s.Add("1234567");
  CHECK(s.empty());
  s.Add("gateway-token-0001");
  s.Add(kKey);
  s.Add(kKey);
  CHECK(s.Scrub("X-Gateway: gateway-token-0001, key " + kKey) ==
        "X-Gateway: gat…0001, key sk-…abcd");
  CHECK(s.Scrub("1234567") == "1234567");
}

TEST_CASE("credential header names are told from public ones") {
  CHECK(IsSecretHeaderName("X-Gateway-Token"));
  CHECK(IsSecretHeaderName("Authorization"));
  CHECK(IsSecretHeaderName("x-api-key"));
  CHECK_FALSE(IsSecretHeaderName("HTTP-Referer"));
  CHECK_FALSE(IsSecretHeaderName("X-Title"));
}

TEST_CASE("the process scrubber is shared through RegisterSecret") {
  RegisterSecret("process-wide-secret-value");
  CHECK(ScrubSecrets("see process-wide-secret-value") == "see pro…alue");
}

}  // namespace llmctl
