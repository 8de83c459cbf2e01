#include "util/unique_fd.h"

#include <doctest/doctest.h>

#include <fcntl.h>

using namespace llmctl;

namespace {

bool IsOpen(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

}  // namespace

TEST_CASE("UniqueFd closes its descriptor once, and a move hands it over") {
  int raw = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  REQUIRE(raw >= 0);
  {
    UniqueFd a(raw);
    UniqueFd b(std::move(a));
    CHECK(!a.valid());
    CHECK(b.get() == raw);
    CHECK(IsOpen(raw));
  }
  CHECK(!IsOpen(raw));
  UniqueFd none;
  none.Reset();  // nothing to close
  CHECK(!none.valid());
}
