// RedisConnection: one blocking hiredis connection for the life of a
// process, authenticated and on the right database, with the connect and
// every command bounded by one timeout. Server-side scripts are run by SHA
// and loaded again when the server has forgotten them (restart, failover,
// SCRIPT FLUSH). Errors never carry the password.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "store/redis_url.h"
#include "util/status.h"

struct redisContext;
struct redisReply;

namespace llmctl {

// A reply owned by the caller; null when the command failed.
struct RedisReplyDeleter {
  void operator()(redisReply* r) const;
};
using RedisReply = std::unique_ptr<redisReply, RedisReplyDeleter>;

// A Lua script and its SHA1, as EVALSHA names it.
class RedisScript {
 public:
  explicit RedisScript(std::string source);
  const std::string& source() const { return source_; }
  const std::string& sha() const { return sha_; }

 private:
  std::string source_;
  std::string sha_;
};

struct RedisConnectOptions {
  RedisEndpoint endpoint;
  std::string masked_url;  // how errors name the server
  int64_t timeout_ms = 2000;
};

class RedisConnection {
 public:
  RedisConnection() = default;
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Connects, authenticates, selects the database and checks that a Redis
  // answers. Failures are kConfig statuses naming the masked URL and the
  // cause; unreachable() then tells a server that could not be reached in
  // time apart from one that refused us (wrong password, not Redis).
  Status Connect(const RedisConnectOptions& options);
  bool unreachable() const { return unreachable_; }
  bool connected() const { return ctx_ != nullptr; }
  const std::string& masked_url() const { return options_.masked_url; }

  // One command. An error reply is returned as a kConfig status; a lost
  // connection too, after which the connection is closed.
  Status Command(const std::vector<std::string>& argv, RedisReply* reply);
  // Several commands in one round trip; replies in order.
  Status Pipeline(const std::vector<std::vector<std::string>>& commands,
                  std::vector<RedisReply>* replies);
  // EVALSHA, and on NOSCRIPT the script is loaded and run once more.
  Status Eval(const RedisScript& script, const std::vector<std::string>& keys,
              const std::vector<std::string>& args, RedisReply* reply);

  // The server's redis_version (INFO server).
  Status ServerVersion(std::string* version);

 private:
  Status Fail(const std::string& what, bool unreachable);
  Status CheckReply(redisReply* r, const std::string& what);
  redisContext* ctx_ = nullptr;
  RedisConnectOptions options_;
  bool unreachable_ = false;
};

// The integer of an integer reply, or of a string reply holding one.
int64_t ReplyInteger(const redisReply* r);
std::string ReplyString(const redisReply* r);
size_t ReplyArraySize(const redisReply* r);
const redisReply* ReplyElement(const redisReply* r, size_t i);

}  // namespace llmctl
