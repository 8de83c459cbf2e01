#include "pipeline/conversation_history.h"

#include "guardrails/history_window.h"
#include "store/conversation_store.h"

namespace llmctl {
namespace {

// Cuts spec's history (its first `droppable` messages) to the window of the
// primary model.
int64_t ApplyWindow(const Settings& settings, const PriceTable& prices, size_t droppable,
                    CallSpec* spec) {
  ChatRequest& request = spec->request;
  request.model = spec->primary.model;  // the tokenizer the estimate counts with
  const WindowLimits limits{
      prices.Find(spec->primary.provider, spec->primary.model).price.max_input_tokens,
      settings.history_max_tokens};
  const int64_t dropped = FitToWindow(&request, droppable, limits);
  spec->history_dropped += dropped;
  return dropped;
}

}  // namespace

Status AttachConversation(Database& db, const Settings& settings, const PriceTable& prices,
                          const std::string& name, CallSpec* spec) {
  Status st = CheckConversationName(name);
  if (!st.ok()) return st;
  ChatRequest& request = spec->request;
  if (request.messages.size() != 1 || request.messages.front().role != "user")
    return Status::Usage(
        "--conversation takes one prompt (arguments or standard input), not a --messages file");
  PendingTurn& pending = spec->new_turn.emplace();
  pending.prompt = request.messages.front().content;
  if (!request.system.empty()) pending.system = request.system;

  Conversation conversation;
  bool found = false;
  st = ConversationStore(db).Load(spec->user, name, &conversation, &found);
  if (!st.ok()) return st;
  if (request.system.empty()) request.system = conversation.system;
  std::vector<Message> messages;
  messages.reserve(2 * conversation.turns.size() + 1);
  for (ConversationTurn& turn : conversation.turns) {
    messages.push_back({"user", std::move(turn.prompt)});
    messages.push_back({"assistant", std::move(turn.answer)});
  }
  const size_t history = messages.size();
  messages.push_back(std::move(request.messages.front()));
  request.messages = std::move(messages);
  spec->conversation = name;
  ApplyWindow(settings, prices, history, spec);
  return Status::Ok();
}

void FitRequestToWindow(const Settings& settings, const PriceTable& prices, CallSpec* spec) {
  ApplyWindow(settings, prices, NewestTurnStart(spec->request), spec);
}

Status AppendTurnIfSucceeded(Database& db, const CallSpec& spec, const CallOutcome& outcome) {
  const CallRecord& rec = outcome.record;
  if (!spec.conversation || !spec.new_turn || !outcome.status.ok() || rec.error)
    return Status::Ok();
  ConversationTurn turn;
  turn.request_id = rec.request_id;
  turn.model = rec.provider + ":" + rec.model;
  turn.ts_ms = rec.timestamp_ms;
  turn.prompt = spec.new_turn->prompt;
  turn.answer = outcome.text;
  Status st =
      ConversationStore(db).Append(spec.user, *spec.conversation, spec.new_turn->system, turn);
  if (!st.ok())
    return Status(st.code(), "the call could not be added to conversation \"" + *spec.conversation +
                                 "\": " + st.message());
  return Status::Ok();
}

}  // namespace llmctl
