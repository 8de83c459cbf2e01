// llm-rubric: a grader model judges an answer against a rubric and must
// answer promptfoo's JSON {"pass": bool, "score": number, "reason": string}.
// The grader's request is fixed for a given rubric and answer (temperature
// 0), so a cache in auto mode serves a re-run without paying again.
#pragma once

#include <cstdint>
#include <string>

#include "providers/chat.h"

namespace llmctl {

// Largest grader answer asked for: the verdict and a short reason.
constexpr int64_t kGraderMaxTokens = 1024;

// The grader's system prompt and user message for one rubric and answer.
void BuildGraderRequest(const std::string& rubric, const std::string& answer, ChatRequest* out);

struct GraderVerdict {
  bool pass = false;
  double score = 0;
  std::string reason;
};

// Reads the grader's answer: the JSON object alone, optionally inside a
// ```json fence. Returns "" or why the answer is not that JSON.
std::string ParseGraderAnswer(const std::string& answer, GraderVerdict* out);

}  // namespace llmctl
