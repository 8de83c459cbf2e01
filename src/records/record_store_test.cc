#include "records/record_store.h"

#include <doctest/doctest.h>

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <sstream>

#include "records/test_records.h"

namespace llmctl {
namespace {

using testing::ScratchDir;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("log file: a record after a torn line starts on a fresh line") {
  ScratchDir dir;
  const std::string log = dir.Write("calls.jsonl", "{\"a\": 1}\n{\"torn");
  REQUIRE(AppendLogLine(log, "{\"b\": 2}").ok());
  REQUIRE(AppendLogLine(log, "{\"c\": 3}").ok());
  CHECK(ReadAll(log) == "{\"a\": 1}\n{\"torn\n{\"b\": 2}\n{\"c\": 3}\n");
}

TEST_CASE("log file: a write that fails part-way is taken back and reported") {
  ScratchDir dir;
  const std::string log = dir.Write("calls.jsonl", "{\"a\": 1}\n");
  // A file size limit plays a disk that fills up in the middle of the line.
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit = {64, 64};
    setrlimit(RLIMIT_FSIZE, &limit);
    Status st = AppendLogLine(log, "{\"long\": \"" + std::string(200, 'x') + "\"}");
    _exit(st.code() == StatusCode::kConfig ? 0 : 1);
  }
  int status = 0;
  waitpid(child, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(ReadAll(log) == "{\"a\": 1}\n");
  REQUIRE(AppendLogLine(log, "{\"b\": 2}").ok());
  CHECK(ReadAll(log) == "{\"a\": 1}\n{\"b\": 2}\n");
}

TEST_CASE("log file: a symbolic link, a directory or a missing directory is found before use") {
  ScratchDir dir;
  REQUIRE(symlink(dir.File("target").c_str(), dir.File("link").c_str()) == 0);
  for (const std::string& bad : {dir.File("link"), dir.File(""), dir.File("missing/calls.jsonl")}) {
    CAPTURE(bad);
    Status st = CheckLogFile(bad);
    CHECK(st.code() == StatusCode::kConfig);
    CHECK(st.message().find("LLMCTL_LOG_FILE") != std::string::npos);
  }
  CHECK(AppendLogLine(dir.File("link"), "{}").code() == StatusCode::kConfig);
  struct stat st;
  CHECK(lstat(dir.File("target").c_str(), &st) != 0);  // the link was not followed
  CHECK(CheckLogFile(dir.File("new.jsonl")).ok());
  CHECK(lstat(dir.File("new.jsonl").c_str(), &st) != 0);  // checking creates nothing
}

TEST_CASE("the record probe writes nothing and catches a table the record cannot go into") {
  ScratchDir dir;
  Database db;
  REQUIRE(db.Open(dir.File("probe.db")).ok());
  CallRecord r = testing::MakeRecord("2026-11-01T00:00:00.000Z", "u", "openai", "m", 1);
  REQUIRE(ProbeRecordWrite(db, r).ok());
  {
    Statement q(db, "SELECT count(*) FROM calls");
    REQUIRE(q.Step());
    CHECK(q.ColumnInt(0) == 0);
  }
  {
    Transaction tx(db);
    REQUIRE(ProbeRecordWrite(db, r).ok());  // inside a caller's transaction too
    CHECK(db.InTransaction());
  }
  REQUIRE(
      db.Exec("CREATE TRIGGER refuse BEFORE INSERT ON calls BEGIN SELECT RAISE(ABORT, 'no'); END")
          .ok());
  CHECK_FALSE(ProbeRecordWrite(db, r).ok());
  CHECK_FALSE(db.InTransaction());
}

}  // namespace llmctl
