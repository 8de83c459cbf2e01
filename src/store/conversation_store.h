// Conversations: named, per-user lists of turns (a prompt and its answer)
// kept in the state database. Appending a turn is one transaction that
// numbers it after every turn already there, so concurrent calls on one
// conversation each add theirs and none is lost.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/database.h"
#include "util/status.h"

namespace llmctl {

struct ConversationTurn {
  int64_t seq = 0;  // 1, 2, ... in the order the turns were added
  std::string request_id;
  std::string model;  // provider:model that answered
  int64_t ts_ms = 0;
  std::string prompt;
  std::string answer;
};

struct Conversation {
  std::string name;
  std::string system;  // the last system message given; empty when none
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  int64_t turn_count = 0;
  std::vector<ConversationTurn> turns;  // filled by Load only
};

// A name is 1 to 200 characters of valid UTF-8 without control characters.
Status CheckConversationName(const std::string& name);

class ConversationStore {
 public:
  explicit ConversationStore(Database& db) : db_(db) {}

  // The user's conversation with its turns, oldest first; *found is false
  // (and *out empty) when there is none.
  Status Load(const std::string& user, const std::string& name, Conversation* out, bool* found);
  // Adds one turn at the end, creating the conversation on its first turn;
  // a system message, when given, replaces the stored one.
  Status Append(const std::string& user, const std::string& name,
                const std::optional<std::string>& system, const ConversationTurn& turn);
  // The user's conversations, most recently updated first, without turns.
  Status List(const std::string& user, std::vector<Conversation>* out);
  // Deletes the conversation and its turns; *removed says whether it existed.
  Status Remove(const std::string& user, const std::string& name, bool* removed);

 private:
  Database& db_;
};

}  // namespace llmctl
