#include "store/conversation_store.h"

#include "util/utf8.h"

namespace llmctl {

Status CheckConversationName(const std::string& name) {
  if (name.empty() || name.size() > 200)
    return Status::Usage("conversation name \"" + name +
                         "\" is invalid: expected 1 to 200 characters");
  if (FindInvalidUtf8(name)) return Status::Usage("conversation name is not valid UTF-8");
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f)
      return Status::Usage("conversation name contains a control character");
  return Status::Ok();
}

Status ConversationStore::Load(const std::string& user, const std::string& name, Conversation* out,
                               bool* found) {
  *out = Conversation();
  *found = false;
  Transaction read(db_, Transaction::Kind::kDeferred);
  if (!read.status().ok()) return read.status();
  Statement head(
      db_,
      "SELECT id, system, created_ms, updated_ms FROM conversations WHERE user_id = ? AND name = ?");
  head.Bind(1, user).Bind(2, name);
  if (!head.Step()) return head.failed() ? head.Failure("reading a conversation") : read.Commit();
  *found = true;
  const int64_t id = head.ColumnInt(0);
  out->name = name;
  out->system = head.ColumnText(1);
  out->created_ms = head.ColumnInt(2);
  out->updated_ms = head.ColumnInt(3);
  Statement turns(db_,
                  "SELECT seq, request_id, model, ts_ms, prompt, answer FROM conversation_turns "
                  "WHERE conversation_id = ? ORDER BY seq");
  turns.Bind(1, id);
  while (turns.Step())
    out->turns.push_back({turns.ColumnInt(0), turns.ColumnText(1), turns.ColumnText(2),
                          turns.ColumnInt(3), turns.ColumnText(4), turns.ColumnText(5)});
  if (turns.failed()) return turns.Failure("reading a conversation's turns");
  out->turn_count = static_cast<int64_t>(out->turns.size());
  return read.Commit();
}

Status ConversationStore::Append(const std::string& user, const std::string& name,
                                 const std::optional<std::string>& system,
                                 const ConversationTurn& turn) {
  Transaction tx(db_);
  if (!tx.status().ok()) return tx.status();
  Statement create(
      db_,
      "INSERT INTO conversations (user_id, name, system, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT (user_id, name) DO UPDATE SET updated_ms = excluded.updated_ms"
      " RETURNING id");
  create.Bind(1, user)
      .Bind(2, name)
      .Bind(3, system.value_or(""))
      .Bind(4, turn.ts_ms)
      .Bind(5, turn.ts_ms);
  if (!create.Step()) return create.Failure("adding to a conversation");
  const int64_t id = create.ColumnInt(0);
  create.Reset();
  if (system) {
    Statement set(db_, "UPDATE conversations SET system = ? WHERE id = ?");
    set.Bind(1, *system).Bind(2, id);
    set.Step();
    if (set.failed()) return set.Failure("adding to a conversation");
  }
  Statement add(
      db_,
      "INSERT INTO conversation_turns (conversation_id, seq, request_id, model, ts_ms, prompt, answer) "
      "SELECT ?1, COALESCE(MAX(seq), 0) + 1, ?2, ?3, ?4, ?5, ?6 FROM conversation_turns "
      "WHERE conversation_id = ?1");
  add.Bind(1, id)
      .Bind(2, turn.request_id)
      .Bind(3, turn.model)
      .Bind(4, turn.ts_ms)
      .Bind(5, turn.prompt)
      .Bind(6, turn.answer);
  add.Step();
  if (add.failed()) return add.Failure("adding to a conversation");
  return tx.Commit();
}

Status ConversationStore::List(const std::string& user, std::vector<Conversation>* out) {
  out->clear();
  Statement list(db_,
                 "SELECT c.name, c.system, c.created_ms, c.updated_ms, "
                 "(SELECT COUNT(*) FROM conversation_turns t WHERE t.conversation_id = c.id) "
                 "FROM conversations c WHERE c.user_id = ? ORDER BY c.updated_ms DESC, c.name");
  list.Bind(1, user);
  while (list.Step()) {
    Conversation c;
    c.name = list.ColumnText(0);
    c.system = list.ColumnText(1);
    c.created_ms = list.ColumnInt(2);
    c.updated_ms = list.ColumnInt(3);
    c.turn_count = list.ColumnInt(4);
    out->push_back(std::move(c));
  }
  return list.failed() ? list.Failure("listing conversations") : Status::Ok();
}

Status ConversationStore::Remove(const std::string& user, const std::string& name, bool* removed) {
  *removed = false;
  Transaction tx(db_);
  if (!tx.status().ok()) return tx.status();
  Statement find(db_, "DELETE FROM conversations WHERE user_id = ? AND name = ? RETURNING id");
  find.Bind(1, user).Bind(2, name);
  if (!find.Step()) {
    if (find.failed()) return find.Failure("removing a conversation");
    return tx.Commit();
  }
  const int64_t id = find.ColumnInt(0);
  find.Reset();
  Statement turns(db_, "DELETE FROM conversation_turns WHERE conversation_id = ?");
  turns.Bind(1, id);
  turns.Step();
  if (turns.failed()) return turns.Failure("removing a conversation");
  *removed = true;
  return tx.Commit();
}

}  // namespace llmctl
