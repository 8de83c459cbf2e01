#include "guardrails/content_guard.h"

#include <mutex>

namespace llmctl {
namespace {

bool SamePatterns(const std::vector<ExtraPattern>& a, const std::vector<ExtraPattern>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].line != b[i].line || a[i].regex != b[i].regex) return false;
  return true;
}

// Compiling the rules costs far more than scanning a prompt, and an eval
// run scans every case with the same rules: the scanner is built once per
// process (RE2 matching is safe from many threads).
Status SharedScanner(const std::vector<ExtraPattern>& extra, const InjectionScanner** out) {
  static std::mutex mu;
  static std::unique_ptr<InjectionScanner> scanner;
  static std::vector<ExtraPattern> built_for;
  std::lock_guard<std::mutex> lock(mu);
  if (!scanner || !SamePatterns(built_for, extra)) {
    std::unique_ptr<InjectionScanner> fresh;
    Status st = InjectionScanner::Create(extra, &fresh);
    if (!st.ok()) return st;
    scanner = std::move(fresh);
    built_for = extra;
  }
  *out = scanner.get();
  return Status::Ok();
}

std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  if (from.empty()) return text;
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

void AddFindings(const std::vector<InjectionFinding>& found, std::vector<GuardFinding>* out) {
  for (const InjectionFinding& f : found) out->push_back({"input", f.rule, f.Detail()});
}

}  // namespace

ContentGuardOptions ContentGuardFromSettings(const Settings& s) {
  ContentGuardOptions o;
  o.policy = s.injection_policy == "off"     ? InjectionPolicy::kOff
             : s.injection_policy == "block" ? InjectionPolicy::kBlock
                                             : InjectionPolicy::kWarn;
  ParseSpotlightMode(s.spotlight, &o.spotlight);
  o.canary = s.canary;
  for (const InjectionPattern& p : s.injection_patterns)
    o.extra_patterns.push_back({p.line, p.regex});
  return o;
}

Status GuardInput(const ContentGuardOptions& options, const std::vector<std::string>& data,
                  ChatRequest* request, GuardedInput* out) {
  if (options.policy != InjectionPolicy::kOff) {
    const InjectionScanner* scanner = nullptr;
    Status st = SharedScanner(options.extra_patterns, &scanner);
    if (!st.ok()) return st;
    size_t last_user = request->messages.size();
    for (size_t i = 0; i < request->messages.size(); ++i)
      if (request->messages[i].role == "user") last_user = i;
    for (size_t i = 0; i < request->messages.size(); ++i) {
      const Message& m = request->messages[i];
      if (m.role != "user") continue;
      AddFindings(
          scanner->Scan(m.content, i == last_user ? "prompt" : "message " + std::to_string(i + 1)),
          &out->findings);
    }
    for (size_t i = 0; i < data.size(); ++i)
      AddFindings(scanner->Scan(data[i], "data " + std::to_string(i + 1)), &out->findings);
    out->refused = options.policy == InjectionPolicy::kBlock && !out->findings.empty();
    if (out->refused) return Status::Ok();
  }
  std::vector<std::string> system_parts;
  if (options.canary) {
    out->canary = NewCanary();
    out->volatile_tokens.push_back(out->canary->word);
    system_parts.push_back(out->canary->SystemLine());
  }
  if (!request->system.empty()) system_parts.push_back(request->system);
  if (!data.empty()) {
    std::vector<std::string_view> avoid = {request->system};
    for (const Message& m : request->messages) avoid.push_back(m.content);
    SpotlightedData s = Spotlight(data, options.spotlight, avoid);
    out->volatile_tokens.push_back(s.boundary);
    system_parts.push_back(s.system_instruction);
    if (request->messages.empty() || request->messages.back().role != "user")
      request->messages.push_back({"user", ""});
    std::string& turn = request->messages.back().content;
    turn += (turn.empty() ? "" : "\n\n") + s.user_block;
  }
  std::string system;
  for (const std::string& part : system_parts) system += (system.empty() ? "" : "\n\n") + part;
  request->system = system;
  return Status::Ok();
}

ChatRequest StableView(const ChatRequest& request, const std::vector<std::string>& tokens) {
  ChatRequest stable = request;
  for (const std::string& t : tokens) {
    stable.system = ReplaceAll(stable.system, t, "{volatile}");
    for (Message& m : stable.messages) m.content = ReplaceAll(m.content, t, "{volatile}");
  }
  return stable;
}

AnswerVerdict CheckAnswer(const OutputChecker* checker, const std::optional<Canary>& canary,
                          InjectionPolicy policy, std::string_view answer) {
  AnswerVerdict v;
  if (checker) v.findings = checker->Check(answer);
  v.withhold = !v.findings.empty();
  v.schema_only = v.withhold;
  for (const GuardFinding& f : v.findings) v.schema_only = v.schema_only && f.rule == "schema";
  if (canary && canary->LeakedIn(answer)) {
    v.findings.push_back({"output", "system_prompt_leak", "the answer contains the canary word"});
    v.schema_only = false;
    if (policy == InjectionPolicy::kBlock) v.withhold = true;
  }
  return v;
}

bool MustBufferAnswer(const OutputChecker* checker, const ContentGuardOptions& options) {
  return (checker && checker->active()) ||
         (options.canary && options.policy == InjectionPolicy::kBlock);
}

std::string DescribeFinding(const GuardFinding& f) {
  if (f.stage == "input") return "possible prompt injection (" + f.rule + ") in " + f.detail;
  return "answer failed the " + f.rule + " check: " + f.detail;
}

}  // namespace llmctl
