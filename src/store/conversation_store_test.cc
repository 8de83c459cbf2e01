#include "store/conversation_store.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <thread>
#include <vector>

#include "store/audit_store.h"

using namespace llmctl;

namespace {

struct TempDb {
  std::string dir;
  Database db;
  TempDb() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "llmctl-conv-XXXXXX").string();
    dir = mkdtemp(tmpl.data());
    REQUIRE(db.Open(dir + "/state.db").ok());
  }
  ~TempDb() { std::filesystem::remove_all(dir); }
};

ConversationTurn Turn(const std::string& prompt, const std::string& answer, int64_t ts) {
  return {0, "req-" + prompt, "mock:mock-1", ts, prompt, answer};
}

}  // namespace

TEST_CASE("conversations are per user and keep their turns in order") {
  TempDb t;
  ConversationStore store(t.db);
  REQUIRE(store.Append("ann", "work", std::string("Be brief."), Turn("q1", "a1", 10)).ok());
  REQUIRE(store.Append("ann", "work", std::nullopt, Turn("q2", "a2", 20)).ok());
  REQUIRE(store.Append("bob", "work", std::nullopt, Turn("other", "x", 15)).ok());

  Conversation c;
  bool found = false;
  REQUIRE(store.Load("ann", "work", &c, &found).ok());
  REQUIRE(found);
  CHECK(c.system == "Be brief.");  // kept when a later turn gives none
  REQUIRE(c.turns.size() == 2);
  CHECK(c.turns[0].prompt == "q1");
  CHECK(c.turns[1].seq == 2);
  CHECK(c.created_ms == 10);
  CHECK(c.updated_ms == 20);

  REQUIRE(store.Load("ann", "home", &c, &found).ok());
  CHECK_FALSE(found);

  std::vector<Conversation> list;
  REQUIRE(store.List("ann", &list).ok());
  REQUIRE(list.size() == 1);
  CHECK(list[0].turn_count == 2);

  bool removed = false;
  REQUIRE(store.Remove("ann", "work", &removed).ok());
  CHECK(removed);
  REQUIRE(store.Remove("ann", "work", &removed).ok());
  CHECK_FALSE(removed);
  REQUIRE(store.Load("bob", "work", &c, &found).ok());
  CHECK(found);  // another user's conversation of the same name stays
}

TEST_CASE("concurrent appends to one conversation keep every turn") {
  TempDb t;
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      Database db;
      REQUIRE(db.Open(t.dir + "/state.db").ok());
      ConversationStore store(db);
      CHECK(store.Append("ann", "busy", std::nullopt, Turn("q" + std::to_string(i), "a", i)).ok());
    });
  for (auto& th : threads) th.join();
  Conversation c;
  bool found = false;
  REQUIRE(ConversationStore(t.db).Load("ann", "busy", &c, &found).ok());
  REQUIRE(c.turns.size() == 8);
  for (int i = 0; i < 8; ++i) CHECK(c.turns[static_cast<size_t>(i)].seq == i + 1);
}

TEST_CASE("conversation names") {
  CHECK(CheckConversationName("project-x 2").ok());
  CHECK_FALSE(CheckConversationName("").ok());
  CHECK_FALSE(CheckConversationName("tab\there").ok());
  CHECK_FALSE(CheckConversationName(std::string(201, 'a')).ok());
}

TEST_CASE("audit entries are stored as given and pruned by age") {
  TempDb t;
  AuditRow old_row{"old", 1000, {std::string(12, 'n'), std::string("\0\1cipher", 8)}};
  REQUIRE(PutAuditEntry(t.db, old_row, 0).ok());
  AuditRow row;
  bool found = false;
  REQUIRE(GetAuditEntry(t.db, "old", &row, &found).ok());
  REQUIRE(found);
  CHECK(row.sealed.ciphertext == std::string("\0\1cipher", 8));
  CHECK(row.created_ms == 1000);
  REQUIRE(PutAuditEntry(t.db, {"new", 5000, {std::string(12, 'm'), "c"}}, 2000).ok());
  REQUIRE(GetAuditEntry(t.db, "old", &row, &found).ok());
  CHECK_FALSE(found);
  REQUIRE(GetAuditEntry(t.db, "new", &row, &found).ok());
  CHECK(found);
}
