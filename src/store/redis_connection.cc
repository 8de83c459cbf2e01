#include "store/redis_connection.h"

#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "util/hash.h"

namespace llmctl {

void RedisReplyDeleter::operator()(redisReply* r) const {
  if (r) freeReplyObject(r);
}

RedisScript::RedisScript(std::string source) : source_(std::move(source)), sha_(Sha1Hex(source_)) {}

RedisConnection::~RedisConnection() {
  if (ctx_) redisFree(ctx_);
}

Status RedisConnection::Fail(const std::string& what, bool unreachable) {
  std::string cause = what;
  if (ctx_ && ctx_->err) {
    cause = ctx_->errstr;
    // A read timeout surfaces as EAGAIN in this hiredis version.
    if (ctx_->err == REDIS_ERR_IO && (std::strstr(ctx_->errstr, "temporarily unavailable") ||
                                      std::strstr(ctx_->errstr, "timed out")))
      cause = "no answer within " + std::to_string(options_.timeout_ms) +
              " ms (LLMCTL_REDIS_TIMEOUT_MS)";
    else if (ctx_->err == REDIS_ERR_PROTOCOL)
      cause = "the server does not speak the Redis protocol (" + std::string(ctx_->errstr) + ")";
    else if (ctx_->err == REDIS_ERR_EOF) cause = "the server closed the connection";
    unreachable = ctx_->err != REDIS_ERR_PROTOCOL;
  }
  if (ctx_) {
    redisFree(ctx_);
    ctx_ = nullptr;
  }
  unreachable_ = unreachable;
  return Status::Config("Redis at " + options_.masked_url + ": " + cause +
                        (what.empty() || cause == what ? "" : " (" + what + ")"));
}

Status RedisConnection::CheckReply(redisReply* r, const std::string& what) {
  if (!r) return Fail(what, true);
  if (r->type == REDIS_REPLY_ERROR)
    return Status::Config("Redis at " + options_.masked_url + " refused " + what + ": " +
                          std::string(r->str, r->len));
  return Status::Ok();
}

Status RedisConnection::Connect(const RedisConnectOptions& o) {
  options_ = o;
  unreachable_ = false;
  timeval tv{static_cast<time_t>(o.timeout_ms / 1000),
             static_cast<suseconds_t>((o.timeout_ms % 1000) * 1000)};
  const RedisEndpoint& e = o.endpoint;
  ctx_ = e.unix_path.empty() ? redisConnectWithTimeout(e.host.c_str(), e.port, tv)
                             : redisConnectUnixWithTimeout(e.unix_path.c_str(), tv);
  if (!ctx_) return Fail("cannot allocate a connection", true);
  if (ctx_->err) {
    std::string cause = ctx_->errstr;
    if (cause.find("temporarily unavailable") != std::string::npos ||
        cause.find("timed out") != std::string::npos)
      cause =
          "no connection within " + std::to_string(o.timeout_ms) + " ms (LLMCTL_REDIS_TIMEOUT_MS)";
    redisFree(ctx_);
    ctx_ = nullptr;
    unreachable_ = true;
    return Status::Config("Redis at " + o.masked_url + " is unreachable: " + cause);
  }
  // The connect timeout bounds only the connect; replies need their own.
  redisSetTimeout(ctx_, tv);
  RedisReply r;
  if (!e.password.empty()) {
    std::vector<std::string> auth = {"AUTH"};
    if (!e.user.empty()) auth.push_back(e.user);
    auth.push_back(e.password);
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const std::string& a : auth) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    r.reset(static_cast<redisReply*>(
        redisCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(), lens.data())));
    if (!r) return Fail("during AUTH", true);
    if (r->type == REDIS_REPLY_ERROR) {
      // The server's text is safe to show: it never echoes the password.
      std::string why(r->str, r->len);
      redisFree(ctx_);
      ctx_ = nullptr;
      return Status::Config("Redis at " + o.masked_url +
                            " refused the credentials in the URL: " + why);
    }
  }
  // The PING's round trip is logged so a benchmark can set the admission
  // script's round trip beside one made by the same process at that moment.
  const auto ping_start = std::chrono::steady_clock::now();
  Status st = Command({"PING"}, &r);
  spdlog::debug("stage redis_ping_ms={:.3f}", std::chrono::duration<double, std::milli>(
                                                  std::chrono::steady_clock::now() - ping_start)
                                                  .count());
  if (!st.ok()) {
    if (st.message().find("NOAUTH") != std::string::npos)
      st = Status::Config("Redis at " + o.masked_url +
                          " requires a password: put it in the URL as redis://:PASSWORD@HOST");
    if (ctx_) {
      redisFree(ctx_);
      ctx_ = nullptr;
    }
    return st;
  }
  if (r->type != REDIS_REPLY_STATUS || std::string(r->str, r->len) != "PONG") {
    redisFree(ctx_);
    ctx_ = nullptr;
    return Status::Config("Redis at " + o.masked_url + " did not answer PING like Redis");
  }
  if (e.db != 0) {
    st = Command({"SELECT", std::to_string(e.db)}, &r);
    if (!st.ok()) {
      if (ctx_) {
        redisFree(ctx_);
        ctx_ = nullptr;
      }
      return st;
    }
  }
  return Status::Ok();
}

Status RedisConnection::Command(const std::vector<std::string>& args, RedisReply* reply) {
  if (!ctx_) return Status::Config("Redis at " + options_.masked_url + " is not connected");
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  reply->reset(static_cast<redisReply*>(
      redisCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(), lens.data())));
  return CheckReply(reply->get(), args.empty() ? "" : args[0]);
}

Status RedisConnection::Pipeline(const std::vector<std::vector<std::string>>& commands,
                                 std::vector<RedisReply>* replies) {
  if (!ctx_) return Status::Config("Redis at " + options_.masked_url + " is not connected");
  for (const auto& args : commands) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const std::string& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    redisAppendCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(), lens.data());
  }
  replies->clear();
  Status first;
  for (const auto& args : commands) {
    void* raw = nullptr;
    if (redisGetReply(ctx_, &raw) != REDIS_OK) return Fail(args[0], true);
    replies->emplace_back(static_cast<redisReply*>(raw));
    Status st = CheckReply(replies->back().get(), args[0]);
    if (first.ok() && !st.ok()) first = st;
  }
  return first;
}

Status RedisConnection::Eval(const RedisScript& script, const std::vector<std::string>& keys,
                             const std::vector<std::string>& args, RedisReply* reply) {
  std::vector<std::string> argv = {"EVALSHA", script.sha(), std::to_string(keys.size())};
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  Status st = Command(argv, reply);
  if (st.ok() || !*reply || (*reply)->type != REDIS_REPLY_ERROR ||
      std::strncmp((*reply)->str, "NOSCRIPT", 8) != 0)
    return st;
  RedisReply loaded;
  st = Command({"SCRIPT", "LOAD", script.source()}, &loaded);
  if (!st.ok()) return st;
  return Command(argv, reply);
}

Status RedisConnection::ServerVersion(std::string* version) {
  RedisReply r;
  Status st = Command({"INFO", "server"}, &r);
  if (!st.ok()) return st;
  const std::string info = ReplyString(r.get());
  const size_t at = info.find("redis_version:");
  if (at == std::string::npos)
    return Status::Config("Redis at " + options_.masked_url + " did not report its version");
  const size_t start = at + 14;
  *version = info.substr(start, info.find_first_of("\r\n", start) - start);
  return Status::Ok();
}

int64_t ReplyInteger(const redisReply* r) {
  if (!r) return 0;
  if (r->type == REDIS_REPLY_INTEGER) return r->integer;
  if (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS)
    return std::strtoll(r->str, nullptr, 10);
  return 0;
}

std::string ReplyString(const redisReply* r) {
  if (!r || !(r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS ||
              r->type == REDIS_REPLY_ERROR))
    return "";
  return std::string(r->str, r->len);
}

size_t ReplyArraySize(const redisReply* r) {
  return r && r->type == REDIS_REPLY_ARRAY ? r->elements : 0;
}

const redisReply* ReplyElement(const redisReply* r, size_t i) {
  return i < ReplyArraySize(r) ? r->element[i] : nullptr;
}

}  // namespace llmctl
