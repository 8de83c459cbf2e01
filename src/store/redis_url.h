// Where the fleet's shared state lives: a parsed LLMCTL_REDIS_URL. The
// password is a secret, so every text made from a URL for people to read
// goes through MaskRedisUrl.
#pragma once

#include <cstdint>
#include <string>

#include "util/status.h"

namespace llmctl {

struct RedisEndpoint {
  std::string host;  // empty for a unix socket
  int port = 6379;
  std::string unix_path;  // empty for TCP
  int64_t db = 0;
  std::string user;      // empty: AUTH with the password alone (user "default")
  std::string password;  // empty: no AUTH
};

// Parses redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] (HOST may be an [IPv6]
// literal; USER and PASSWORD are percent-decoded) or unix:///PATH[?db=N].
// A bad URL is a kConfig status naming `label`, the masked text and what is
// valid; the message never holds the password.
Status ParseRedisUrl(const std::string& text, const std::string& label, RedisEndpoint* out);

// The URL as people may see it: the password replaced by a mask, as keys are
// shown. Works on malformed text too (whatever sits between "://" and the
// last "@" after the user name is masked).
std::string MaskRedisUrl(const std::string& text);

}  // namespace llmctl
