#include "store/redis_url.h"

#include <doctest/doctest.h>

using namespace llmctl;

TEST_CASE("redis URL: host, port, database and credentials") {
  RedisEndpoint e;
  REQUIRE(ParseRedisUrl("redis://localhost", "U", &e).ok());
  CHECK(e.host == "localhost");
  CHECK(e.port == 6379);
  CHECK(e.db == 0);
  CHECK(e.password.empty());

  REQUIRE(ParseRedisUrl("redis://ci:p%40ss%3Aword@10.0.0.5:6380/3", "U", &e).ok());
  CHECK(e.user == "ci");
  CHECK(e.password == "p@ss:word");
  CHECK(e.host == "10.0.0.5");
  CHECK(e.port == 6380);
  CHECK(e.db == 3);

  REQUIRE(ParseRedisUrl("redis://:secretpass@[::1]:7000/", "U", &e).ok());
  CHECK(e.user.empty());
  CHECK(e.password == "secretpass");
  CHECK(e.host == "::1");
  CHECK(e.port == 7000);
}

TEST_CASE("redis URL: unix socket with a database") {
  RedisEndpoint e;
  REQUIRE(ParseRedisUrl("unix:///run/redis/redis.sock?db=2", "U", &e).ok());
  CHECK(e.unix_path == "/run/redis/redis.sock");
  CHECK(e.db == 2);
  CHECK(e.host.empty());
}

TEST_CASE("redis URL: malformed values are config errors that never show the password") {
  RedisEndpoint e;
  for (const char* bad :
       {"localhost:6379", "redis://", "redis://host:0", "redis://host:99999", "redis://host:abc",
        "redis://host/x", "redis://host?db=1", "rediss://host", "unix://relative.sock",
        "unix:///s.sock?database=1", "redis://topsecretpw@host", "redis://user:@host",
        "redis://us er:topsecretpassword@host", "redis://u:bad%zzpasswordxyz@host",
        "redis://[::1"}) {
    Status st = ParseRedisUrl(bad, "LLMCTL_REDIS_URL", &e);
    CHECK_MESSAGE(st.code() == StatusCode::kConfig, bad);
    CHECK(st.message().find("LLMCTL_REDIS_URL") != std::string::npos);
    CHECK(st.message().find("topsecretp") == std::string::npos);
    CHECK(st.message().find("passwordxyz") == std::string::npos);
  }
}

TEST_CASE("redis URL: the mask hides the password and keeps the rest") {
  CHECK(MaskRedisUrl("redis://ci:averylongpassword@host:1/2") ==
        "redis://ci:ave\u2026word@host:1/2");
  CHECK(MaskRedisUrl("redis://:short@host") == "redis://:\u2026@host");
  CHECK(MaskRedisUrl("redis://host:6379") == "redis://host:6379");
  CHECK(MaskRedisUrl("redis://justapasswordhere@host").find("justapassword") == std::string::npos);
}
