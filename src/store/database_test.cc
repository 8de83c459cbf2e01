#include "store/database.h"

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <string>

using namespace llmctl;

namespace {

std::string TempDb() {
  std::string path = "/tmp/llmctl_database_test_" + std::to_string(getpid()) + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  return path;
}

off_t FileSize(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

}  // namespace

TEST_CASE("the last connection to close leaves an empty WAL, so the next process opens without recovery") {
  const std::string path = TempDb();
  {
    Database first;
    REQUIRE(first.Open(path).ok());
    {
      Database second;
      REQUIRE(second.Open(path).ok());
      REQUIRE(second.Exec("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2), (3)").ok());
    }
    // Another connection is still open: the WAL holds the new pages.
    CHECK(FileSize(path + "-wal") > 0);
  }
  CHECK(FileSize(path + "-wal") == 0);
  Database reopened;
  REQUIRE(reopened.Open(path).ok());
  Statement count(reopened, "SELECT count(*) FROM t");
  REQUIRE(count.Step());
  CHECK(count.ColumnInt(0) == 3);
}
