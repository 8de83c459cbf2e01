#include "guardrails/output_checks.h"

#include <re2/re2.h>

namespace llmctl {
namespace {

RE2::Options RegexOptions() {
  RE2::Options o;
  o.set_log_errors(false);
  o.set_max_mem(64 << 20);
  return o;
}

GuardFinding Failed(std::string rule, std::string detail) {
  return GuardFinding{"output", std::move(rule), std::move(detail)};
}

}  // namespace

OutputChecker::OutputChecker() = default;
OutputChecker::~OutputChecker() = default;

bool ParseAnswerJson(std::string_view answer, nlohmann::json* out, std::string* why) {
  try {
    *out = nlohmann::json::parse(answer.begin(), answer.end());
    return true;
  } catch (const nlohmann::json::parse_error& e) {
    if (why) *why = "not valid JSON (byte " + std::to_string(e.byte) + ")";
    return false;
  }
}

Status OutputChecker::Create(const OutputCheckOptions& options,
                             std::unique_ptr<OutputChecker>* out) {
  std::unique_ptr<OutputChecker> c(new OutputChecker());
  c->expect_json_ = options.expect_json || options.schema.has_value();
  if (options.schema) {
    Status st = JsonSchema::Parse(*options.schema, options.schema_label, &c->schema_);
    if (!st.ok()) return st;
  }
  auto compile = [](const std::vector<std::string>& patterns, const char* flag,
                    std::vector<std::pair<std::string, std::unique_ptr<RE2>>>* into) {
    for (const std::string& p : patterns) {
      auto re = std::make_unique<RE2>(p, RegexOptions());
      if (!re->ok())
        return Status::Usage(std::string(flag) + " \"" + p +
                             "\" is not a valid regular expression: " + re->error());
      into->emplace_back(p, std::move(re));
    }
    return Status::Ok();
  };
  Status st = compile(options.expect_regex, "--expect-regex", &c->expect_);
  if (st.ok()) st = compile(options.deny_regex, "--deny-regex", &c->deny_);
  if (!st.ok()) return st;
  *out = std::move(c);
  return Status::Ok();
}

bool OutputChecker::active() const { return expect_json_ || !expect_.empty() || !deny_.empty(); }

std::vector<GuardFinding> OutputChecker::Check(std::string_view answer) const {
  std::vector<GuardFinding> failed;
  if (expect_json_) {
    nlohmann::json doc;
    std::string why;
    if (!ParseAnswerJson(answer, &doc, &why)) {
      failed.push_back(Failed(schema_ ? "schema" : "expect_json", "the answer is " + why));
    } else if (schema_) {
      std::vector<std::string> errors;
      if (!schema_->Validate(doc, &errors)) {
        std::string detail = "the answer does not match the schema:";
        for (const std::string& e : errors) detail += " " + e + ";";
        detail.pop_back();
        failed.push_back(Failed("schema", detail));
      }
    }
  }
  for (const auto& [pattern, re] : expect_)
    if (!RE2::PartialMatch(answer, *re))
      failed.push_back(Failed("expect_regex", "--expect-regex \"" + pattern + "\" did not match"));
  for (const auto& [pattern, re] : deny_) {
    re2::StringPiece m;
    if (re->Match(answer, 0, answer.size(), RE2::UNANCHORED, &m, 1))
      failed.push_back(Failed("deny_regex", "--deny-regex \"" + pattern + "\" matched at byte " +
                                                std::to_string(m.data() - answer.data())));
  }
  return failed;
}

std::string OutputChecker::ReaskMessage(const std::vector<GuardFinding>& failures) {
  std::string msg = "Your previous answer was rejected by a JSON Schema check:";
  for (const GuardFinding& f : failures) msg += "\n- " + f.detail;
  msg +=
      "\nAnswer again with only one JSON document that matches the schema: no prose, no code fences.";
  return msg;
}

}  // namespace llmctl
