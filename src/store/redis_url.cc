#include "store/redis_url.h"

#include <cctype>
#include <cstdlib>

#include "util/mask.h"

namespace llmctl {
namespace {

constexpr const char* kValid =
    "expected redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or unix:///PATH[?db=N]";

bool PercentDecode(const std::string& in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size() || !std::isxdigit(static_cast<unsigned char>(in[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(in[i + 2])))
      return false;
    out->push_back(static_cast<char>(std::strtol(in.substr(i + 1, 2).c_str(), nullptr, 16)));
    i += 2;
  }
  return true;
}

bool ParseDecimal(const std::string& s, int64_t max, int64_t* out) {
  if (s.empty() || s.size() > 10) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  *out = std::strtoll(s.c_str(), nullptr, 10);
  return *out <= max;
}

}  // namespace

std::string MaskRedisUrl(const std::string& text) {
  const size_t scheme = text.find("://");
  if (scheme == std::string::npos) return text;
  const size_t start = scheme + 3;
  const size_t at = text.rfind('@');
  if (at == std::string::npos || at < start) return text;
  const size_t colon = text.find(':', start);
  if (colon == std::string::npos || colon > at)
    return text.substr(0, start) + MaskSecret(text.substr(start, at - start)) + text.substr(at);
  return text.substr(0, colon + 1) + MaskSecret(text.substr(colon + 1, at - colon - 1)) +
         text.substr(at);
}

Status ParseRedisUrl(const std::string& text, const std::string& label, RedisEndpoint* out) {
  auto bad = [&](const std::string& why) {
    return Status::Config(label + "=\"" + MaskRedisUrl(text) + "\" is invalid: " + why + "; " +
                          kValid);
  };
  for (char c : text)
    if (std::iscntrl(static_cast<unsigned char>(c)) || c == ' ')
      return bad("it contains a space or a control character");
  RedisEndpoint e;
  if (text.rfind("rediss://", 0) == 0)
    return bad(
        "TLS (rediss://) is not supported by the hiredis library this build uses; reach Redis "
        "over a private network or a TLS tunnel and use redis://");
  if (text.rfind("unix://", 0) == 0) {
    std::string rest = text.substr(7);
    const size_t q = rest.find('?');
    e.unix_path = rest.substr(0, q);
    if (e.unix_path.size() < 2 || e.unix_path[0] != '/')
      return bad("the socket path must be absolute");
    if (q != std::string::npos) {
      const std::string query = rest.substr(q + 1);
      if (query.rfind("db=", 0) != 0 || !ParseDecimal(query.substr(3), 2147483647, &e.db))
        return bad("the only query parameter is db=N");
    }
    *out = e;
    return Status::Ok();
  }
  if (text.rfind("redis://", 0) != 0) return bad("unknown scheme");
  std::string rest = text.substr(8);
  const size_t at = rest.rfind('@');
  if (at != std::string::npos) {
    const std::string userinfo = rest.substr(0, at);
    const size_t colon = userinfo.find(':');
    if (colon == std::string::npos) return bad("credentials must be USER:PASSWORD@ or :PASSWORD@");
    if (!PercentDecode(userinfo.substr(0, colon), &e.user) ||
        !PercentDecode(userinfo.substr(colon + 1), &e.password))
      return bad("bad percent-encoding in the credentials");
    if (e.password.empty()) return bad("the password after ':' is empty");
    rest = rest.substr(at + 1);
  }
  const size_t slash = rest.find('/');
  std::string hostport = rest.substr(0, slash);
  if (slash != std::string::npos) {
    const std::string db = rest.substr(slash + 1);
    if (!db.empty() && !ParseDecimal(db, 2147483647, &e.db))
      return bad("the database after '/' must be a number");
  }
  if (hostport.find('?') != std::string::npos || hostport.find('#') != std::string::npos)
    return bad("redis:// URLs take no query");
  std::string port;
  if (!hostport.empty() && hostport[0] == '[') {
    const size_t close = hostport.find(']');
    if (close == std::string::npos) return bad("unterminated [IPv6] host");
    e.host = hostport.substr(1, close - 1);
    const std::string after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad("expected :PORT after the [IPv6] host");
      port = after.substr(1);
      if (port.empty()) return bad("the port after ':' is empty");
    }
  } else {
    const size_t colon = hostport.find(':');
    e.host = hostport.substr(0, colon);
    if (colon != std::string::npos) {
      port = hostport.substr(colon + 1);
      if (port.empty()) return bad("the port after ':' is empty");
    }
  }
  if (e.host.empty()) return bad("the host is missing");
  if (!port.empty()) {
    int64_t p = 0;
    if (!ParseDecimal(port, 65535, &p) || p == 0)
      return bad("the port must be a number from 1 to 65535");
    e.port = static_cast<int>(p);
  }
  *out = e;
  return Status::Ok();
}

}  // namespace llmctl
