#!/usr/bin/env bash
# shellcheck disable=SC2034  # LLM_ENV is read by lib.sh
# `llmctl tokens`: exact counts for OpenAI models (o200k_base, cl100k_base,
# special-token strings as ordinary text), script-aware estimates for the
# rest, --json, the default model, bad input (exit 2, nothing on stdout), and
# the same count in the guardrails' --dry-run estimate.
source "$(dirname "$0")/lib.sh"

printf 'Hello, world!' >"$TMP/hello.txt"
llm tokens -m gpt-4o "$TMP/hello.txt"
assert_exit 0
assert_eq 4 "$LLM_STDOUT" "plain output is the number"

printf 'Hello, world!\n' | llm tokens -m gpt-4o -
assert_eq 4 "$LLM_STDOUT" "standard input; the trailing newline is dropped as complete drops it"
printf 'Hello, world!\n' | llm tokens -m gpt-4o
assert_eq 4 "$LLM_STDOUT" "no FILE reads standard input"

llm tokens -m gpt-4o --json "$TMP/hello.txt"
assert_json .tokens 4
assert_json .exact true
assert_json .encoding o200k_base
assert_json .model gpt-4o

# CJK: one token per character or so; cl100k spends more than o200k.
printf '我们今天去公园散步，天气很好。' >"$TMP/zh.txt"
llm tokens -m openai:gpt-4o --json "$TMP/zh.txt"
assert_json .tokens 11
llm tokens -m gpt-4 --json "$TMP/zh.txt"
assert_json .tokens 18
assert_json .encoding cl100k_base
llm tokens -m gpt-4o-mini --json "$TMP/zh.txt"
assert_json .encoding o200k_base  # gpt-4o- wins over gpt-4-

# Special-token strings are text: <|endoftext|> is 7 ordinary tokens.
printf '<|endoftext|>' | llm tokens -m gpt-4o
assert_exit 0
assert_eq 7 "$LLM_STDOUT"

# Other models: an estimate, never below o200k's count here.
llm tokens -m anthropic:claude-sonnet-4-5 --json "$TMP/zh.txt"
assert_json .exact false
assert_json .encoding null
assert_json .model claude-sonnet-4-5
[[ $(json_get .tokens) -ge 11 ]] || fail "estimate $(json_get .tokens) is below o200k's 11"

LLM_ENV=(LLM_PROVIDER=openai LLM_MODEL=gpt-4.1)
llm tokens --json "$TMP/hello.txt"
assert_json .model gpt-4.1  # the default model
assert_json .exact true
LLM_ENV=()

# Bad input: one line on stderr, exit 2, nothing on stdout.
llm tokens -m gpt-4o "$TMP/missing.txt"
assert_exit 2 "missing file"
assert_eq "" "$LLM_STDOUT"
printf 'ok \xff bad' >"$TMP/bad.txt"
llm tokens -m gpt-4o "$TMP/bad.txt"
assert_exit 2 "invalid UTF-8"
assert_contains "$LLM_STDERR" "not valid UTF-8"
assert_eq "" "$LLM_STDOUT"
head -c $((32 * 1024 * 1024 + 1)) /dev/zero | tr '\0' a >"$TMP/big.txt"
llm tokens -m gpt-4o "$TMP/big.txt"
assert_exit 2 "over 32 MiB"
assert_contains "$LLM_STDERR" "32 MiB"
assert_eq "" "$LLM_STDOUT"

# The guardrails count the same way: 3000 Han characters are 3000 o200k
# tokens; with the chat framing (3 + "user" 1, 3 to prime the reply) and the
# 10% margin the request is ceil(3007 x 1.1) = 3308, where the old
# code-points/4 estimate said 829.
awk 'BEGIN { for (i = 0; i < 3000; i++) printf "中" }' >"$TMP/han.txt"
llm tokens -m gpt-4o "$TMP/han.txt"
assert_eq 3000 "$LLM_STDOUT"
llm complete -m openai:gpt-4o --dry-run - <"$TMP/han.txt"
assert_exit 0
assert_json .estimate.input_tokens 3308
pass
