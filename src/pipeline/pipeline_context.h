// What every call runs against: the settings, the database, the prices,
// where the answer goes, and the two things a test replaces (the provider
// factory and the clock), so the stages can be driven in-process.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/settings.h"
#include "guardrails/output_checks.h"
#include "guardrails/pricing.h"
#include "providers/chat.h"
#include "providers/provider.h"
#include "records/call_record.h"
#include "store/database.h"
#include "util/status.h"

namespace llmctl {

// Time as the pipeline sees it. Wall time stamps records and stored state;
// monotonic time measures latency and the whole-call deadline.
class PipelineClock {
 public:
  virtual ~PipelineClock() = default;
  virtual int64_t NowUnixMs() const = 0;
  virtual std::chrono::steady_clock::time_point Now() const = 0;
  // Waits ms; returns false at once when *cancelled turns true (a backoff
  // must not outlive Ctrl-C).
  virtual bool Sleep(int64_t ms, const std::atomic<bool>* cancelled) const = 0;
};

// The real clocks.
const PipelineClock& SystemClock();

// Builds the provider for one resolved endpoint.
using ProviderFactory = std::function<std::unique_ptr<Provider>(const ProviderConfig&)>;

class StateStore;
struct PipelineContext;
struct AuditConfig;
// Opens the shared state (limits, breaker, cache) one call uses.
using StateStoreFactory = std::function<std::unique_ptr<StateStore>(const PipelineContext&)>;

// What a conversation call adds to its conversation once it has succeeded.
struct PendingTurn {
  std::string prompt;  // the new user message
  // A system message this call gave, which replaces the stored one.
  std::optional<std::string> system;
};

// What the caller asks for: a request, the models to try, and who asks.
struct CallSpec {
  ChatRequest request;  // model is filled per link of the chain
  ModelRef primary;
  std::vector<ModelRef> fallbacks;
  std::string user;
  bool allow_truncated = false;
  std::string run_id;
  std::string case_id;
  // Untrusted documents (--data, an eval case's data): scanned, then
  // spotlighted into the last user turn when the call is planned.
  std::vector<std::string> data;
  // Checks the answer must pass before it is printed or cached; null: none.
  // The checker must outlive every plan made from this spec.
  const OutputChecker* checks = nullptr;
  int64_t schema_retries = 1;  // re-asks after an answer that fails only the schema
  // Carried into the record as they are.
  std::optional<std::string> conversation;
  int64_t history_dropped = 0;
  std::optional<std::string> replay_of;
  // Set with conversation: the turn the record stage appends, in the
  // record's own transaction, when the call succeeded.
  std::optional<PendingTurn> new_turn;
  std::vector<std::pair<std::string, std::string>> tags;  // sorted by key
};

struct CallOutcome {
  Status status;  // the exit status of the call (truncation, provider failure, ...)
  CallRecord record;
  std::string text;           // the answer (partial when truncated or a stream broke)
  bool text_emitted = false;  // some text already went to the sink
  // The answer failed a content guard (an output check, or the canary under
  // block): it went to no sink and `text` must not be shown.
  bool withheld = false;
};

struct PipelineContext {
  const Settings* settings = nullptr;
  const Environment* env = nullptr;
  Database* db = nullptr;              // records are written here
  const PriceTable* prices = nullptr;  // loaded once per process (LoadPriceTable)
  TextSink on_text;                    // answer text as it arrives
  // false: streamed text goes only to on_text (CallOutcome::text stays empty
  // unless the cache needs it), keeping memory flat for long answers.
  bool keep_streamed_text = true;
  const std::atomic<bool>* cancelled = nullptr;
  ProviderFactory make_provider;         // null: MakeProvider
  const PipelineClock* clock = nullptr;  // null: SystemClock()
  StateStoreFactory make_state_store;    // null: the SQLite store in db
  // Set: every call's request and answer are sealed into the audit store
  // with its record.
  const AuditConfig* audit = nullptr;

  const PipelineClock& Clock() const { return clock ? *clock : SystemClock(); }
  std::unique_ptr<Provider> NewProvider(const ProviderConfig& cfg) const {
    return make_provider ? make_provider(cfg) : MakeProvider(cfg);
  }
  std::unique_ptr<StateStore> NewStateStore() const;
};

}  // namespace llmctl
