#include "config/audit_key.h"

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace llmctl;

namespace {

struct KeyFile {
  std::string path;
  KeyFile(const std::string& bytes, mode_t mode) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "llmctl-key-XXXXXX").string();
    const int fd = mkstemp(tmpl.data());
    path = tmpl;
    REQUIRE(write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
    close(fd);
    chmod(path.c_str(), mode);
  }
  ~KeyFile() { std::filesystem::remove(path); }
};

}  // namespace

TEST_CASE("an audit key is 32 raw bytes or 64 hex characters") {
  AesKey key{};
  std::string warning;
  std::string raw(32, '\0');
  for (size_t i = 0; i < 32; ++i) raw[i] = static_cast<char>(i * 7 + 1);
  {
    KeyFile f(raw, 0600);
    REQUIRE(LoadAuditKey(f.path, &key, &warning).ok());
    CHECK(key[1] == 8);
    CHECK(warning.empty());
  }
  {
    // A raw key whose last byte is a newline is still 32 bytes.
    std::string nl = raw;
    nl[31] = '\n';
    KeyFile f(nl, 0600);
    REQUIRE(LoadAuditKey(f.path, &key, &warning).ok());
    CHECK(key[31] == '\n');
  }
  {
    KeyFile f(std::string(62, 'a') + "0F\n", 0600);
    REQUIRE(LoadAuditKey(f.path, &key, &warning).ok());
    CHECK(key[0] == 0xaa);
    CHECK(key[31] == 0x0f);
  }
  for (const std::string& bad :
       {std::string(31, 'k'), std::string(63, 'a'), std::string(64, 'g'), std::string()}) {
    KeyFile f(bad, 0600);
    Status st = LoadAuditKey(f.path, &key, &warning);
    CHECK(st.code() == StatusCode::kConfig);
    CHECK(st.message().find("expected 32 random bytes or 64 hex characters") != std::string::npos);
  }
  CHECK(LoadAuditKey("/nonexistent/key", &key, &warning).code() == StatusCode::kConfig);
}

TEST_CASE("a key others may read is used with a warning") {
  AesKey key{};
  std::string warning;
  KeyFile f(std::string(64, '1'), 0644);
  REQUIRE(LoadAuditKey(f.path, &key, &warning).ok());
  CHECK(warning.find("mode 0644") != std::string::npos);
  CHECK(warning.find("chmod 600") != std::string::npos);
}
