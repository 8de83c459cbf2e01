#include "config/audit_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <openssl/crypto.h>

namespace llmctl {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ParseHexKey(const std::string& text, AesKey* key) {
  if (text.size() != 64) return false;
  for (size_t i = 0; i < 32; ++i) {
    const int hi = HexDigit(text[2 * i]), lo = HexDigit(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    (*key)[i] = static_cast<uint8_t>(hi * 16 + lo);
  }
  return true;
}

}  // namespace

Status LoadAuditKey(const std::string& path, AesKey* key, std::string* warning) {
  warning->clear();
  const std::string label = "LLMCTL_AUDIT_KEY_FILE=" + path;
  const std::string make_one = "create one with: (umask 077; openssl rand -hex 32 > " + path + ")";
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ELOOP)
      return Status::Config(label +
                            " is a symbolic link; point the variable at the key file itself");
    return Status::Config(label + ": cannot read the key file (" + std::strerror(errno) + "); " +
                          make_one);
  }
  struct stat st {};
  std::string text;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= 1024) {
    char buf[1025];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0 && text.size() <= 1024)
      text.append(buf, static_cast<size_t>(n));
    OPENSSL_cleanse(buf, sizeof buf);
  }
  ::close(fd);
  if (!S_ISREG(st.st_mode)) return Status::Config(label + " is not a regular file; " + make_one);
  if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    *warning = label + " has mode " + mode +
               ": others may read the key that protects every stored prompt; chmod 600 " + path;
  }
  Status st_out = Status::Ok();
  if (st.st_size > 1024) {
    st_out = Status::Config(
        label + " holds " + std::to_string(st.st_size) +
        " bytes: expected 32 random bytes or 64 hex characters (a 256-bit key); " + make_one);
  } else if (text.size() == 32) {
    std::memcpy(key->data(), text.data(), 32);
  } else {
    if (!text.empty() && text.back() == '\n') text.pop_back();
    if (text.size() == 32) {
      std::memcpy(key->data(), text.data(), 32);
    } else if (!ParseHexKey(text, key)) {
      st_out = Status::Config(
          label + " holds " + std::to_string(text.size()) +
          " bytes: expected 32 random bytes or 64 hex characters (a 256-bit key); " + make_one);
    }
  }
  OPENSSL_cleanse(text.data(), text.size());
  return st_out;
}

}  // namespace llmctl
