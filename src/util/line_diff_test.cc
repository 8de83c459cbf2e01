#include "util/line_diff.h"

#include <doctest/doctest.h>

#include <string>

using namespace llmctl;

TEST_CASE("equal texts have no diff") { CHECK(UnifiedDiff("a\nb\n", "a\nb\n").empty()); }

TEST_CASE("one changed line with its context, as diff -u prints it") {
  const std::string old_text = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
  const std::string new_text = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
  CHECK(UnifiedDiff(old_text, new_text, {"a", "b"}) ==
        "--- a\n+++ b\n"
        "@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
}

TEST_CASE("distant changes make separate hunks; insertions and deletions count right") {
  std::string old_text, new_text;
  for (int i = 1; i <= 20; ++i) old_text += std::to_string(i) + "\n";
  new_text = "0\n" + old_text;               // insert at the top
  new_text.erase(new_text.find("15\n"), 3);  // delete 15
  CHECK(UnifiedDiff(old_text, new_text) ==
        "--- old\n+++ new\n"
        "@@ -1,3 +1,4 @@\n+0\n 1\n 2\n 3\n"
        "@@ -12,7 +13,6 @@\n 12\n 13\n 14\n-15\n 16\n 17\n 18\n");
}

TEST_CASE("from nothing, to nothing, and a missing final newline") {
  CHECK(UnifiedDiff("", "hello\n") == "--- old\n+++ new\n@@ -0,0 +1 @@\n+hello\n");
  CHECK(UnifiedDiff("bye\n", "") == "--- old\n+++ new\n@@ -1 +0,0 @@\n-bye\n");
  CHECK(UnifiedDiff("same\nend", "same\nend\n") ==
        "--- old\n+++ new\n@@ -1,2 +1,2 @@\n same\n-end\n\\ No newline at end of file\n+end\n");
}

TEST_CASE("very large differing middles still produce a correct diff") {
  std::string old_text, new_text;
  for (int i = 0; i < 5000; ++i) {
    old_text += "old " + std::to_string(i) + "\n";
    new_text += "new " + std::to_string(i) + "\n";
  }
  const std::string d = UnifiedDiff(old_text, new_text);
  CHECK(d.find("@@ -1,5000 +1,5000 @@\n-old 0\n") != std::string::npos);
  CHECK(d.find("+new 4999\n") != std::string::npos);
}
