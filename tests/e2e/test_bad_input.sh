#!/usr/bin/env bash
# Bad input: every case exits 2 with one line naming the reason,
# sends NOTHING (fake stats requests == 0) and writes no record. Also: stdin
# and arguments combine in order, a large prompt is handled without a crash,
# and a prompt over 32 MiB is refused.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/core_helpers.sh"

start_fake
LLM_ENV+=("LLM_MAX_RETRIES=0")

# expect_usage LABEL NEEDLE ARGS... (stdin: whatever the caller redirects)
expect_usage() {
  local label=$1 needle=$2
  shift 2
  fake_reset
  local before
  before=$(record_count)
  llm "$@"
  assert_exit 2 "$label -> exit 2"
  assert_eq "" "$LLM_STDOUT" "$label: nothing on stdout"
  assert_eq 1 "$(grep -c 'error' <<<"$LLM_STDERR")" "$label: one error line"
  [[ -z $needle ]] || assert_contains "$LLM_STDERR" "$needle" "$label: the message says why"
  assert_nothing_sent "$label: nothing sent"
  assert_eq "$before" "$(record_count)" "$label: no record written"
}

m() { printf '%s' "$2" >"$TMP/$1.json"; echo "$TMP/$1.json"; }

expect_usage "unknown flag" "--bogus" complete --bogus "hello" </dev/null
expect_usage "unknown short flag" "" complete -Z "hello" </dev/null
expect_usage "--messages missing file" "$TMP/nope.json" complete --messages "$TMP/nope.json" </dev/null
mkdir -p "$TMP/adir"
expect_usage "--messages is a directory" "$TMP/adir" complete --messages "$TMP/adir" </dev/null
expect_usage "--messages not JSON" "JSON" complete --messages "$(m notjson '[{"role":"user","content":"hi"},')" </dev/null
expect_usage "--messages an object" "array" complete --messages "$(m obj '{"role":"user","content":"hi"}')" </dev/null
expect_usage "--messages empty array" "" complete --messages "$(m empty '[]')" </dev/null
expect_usage "--messages array of strings" "role" complete --messages "$(m strs '["hi"]')" </dev/null
expect_usage "--messages missing content" "content" complete --messages "$(m nocontent '[{"role":"user"}]')" </dev/null
expect_usage "--messages missing role" "role" complete --messages "$(m norole '[{"content":"hi"}]')" </dev/null
expect_usage "--messages numeric content" "content" complete --messages "$(m numcontent '[{"role":"user","content":42}]')" </dev/null
expect_usage "--messages bad role" "wizard" complete --messages "$(m badrole '[{"role":"wizard","content":"hi"}]')" </dev/null
expect_usage "--messages only a system message" "empty" complete --messages "$(m sysonly '[{"role":"system","content":"be nice"}]')" </dev/null
expect_usage "empty prompt argument" "empty" complete "" </dev/null
expect_usage "whitespace-only prompt" "empty" complete "   " $'\t' </dev/null
expect_usage "empty stdin" "empty" complete </dev/null
printf ' \n\n \t\n' >"$TMP/ws.txt"
expect_usage "whitespace-only stdin" "empty" complete - <"$TMP/ws.txt"
bad=$(printf 'abc\xffdef')
expect_usage "invalid UTF-8 argument" "offset 3" complete "$bad" </dev/null
printf 'hello\xc3\x28 world' >"$TMP/bad.txt"
expect_usage "invalid UTF-8 on stdin" "offset 5" complete <"$TMP/bad.txt"
expect_usage "invalid UTF-8 in --messages" "UTF-8" complete --messages "$(m badutf "[{\"role\":\"user\",\"content\":\"ok\"}]")" "$bad" </dev/null
expect_usage "invalid UTF-8 in --system" "UTF-8" complete -s "$bad" "hello" </dev/null
expect_usage "unknown --cache mode" "--cache" complete --cache sometimes "hello" </dev/null
expect_usage "non-numeric --max-tokens" "--max-tokens" complete --max-tokens lots "hello" </dev/null
expect_usage "--temperature out of range" "--temperature" complete --temperature 3 "hello" </dev/null
expect_usage "unknown --provider" "nope" complete -p nope "hello" </dev/null
expect_usage "malformed --fallback" "--fallback" complete --fallback "openai" "hello" </dev/null
expect_usage "unknown subcommand" "" frobnicate </dev/null

# A prompt over 32 MiB is refused before anything is sent.
head -c $((32 * 1024 * 1024 + 1)) /dev/zero | tr '\0' 'a' >"$TMP/huge.txt"
expect_usage "prompt over 32 MiB" "32 MiB" complete - <"$TMP/huge.txt"
rm -f "$TMP/huge.txt"

# ---------------------------------------------------------------- prompt assembly

# stdin comes first, then the arguments; "-" marks stdin among arguments.
fake_reset
llm complete -p openai - "from" "args" <<<"FROM STDIN"
assert_exit 0 "stdin + args"
assert_eq "FROM STDIN|from args" "$(fake_req '.body.messages[-1].content' | tr '\n' '|' | sed 's/||*/|/g; s/|$//')" "stdin first, then the arguments"
assert_eq 1 "$(fake_req '[.body.messages[] | select(.role == "user")] | length')" "one user message"
llm complete -p openai "before" - "after" <<<"PIPED"
assert_exit 0 "args around -"
content=$(fake_req '.body.messages[-1].content')
assert_match "$content" '^PIPED' "stdin first even when - is in the middle"
assert_contains "$content" "before after" "the arguments are joined by spaces"
llm complete -p openai "just args" <<<"ignored stdin"
assert_exit 0
assert_eq "just args" "$(fake_req '.body.messages[-1].content')" "with arguments and no -, stdin is not read"
llm complete -p openai <<<"only stdin"
assert_exit 0
assert_eq "only stdin" "$(fake_req '.body.messages[-1].content')" "no arguments: stdin"

# --messages: system/developer become the system prompt; order is kept.
cat >"$TMP/chat.json" <<'JSON'
[{"role":"system","content":"You are terse."},
 {"role":"user","content":"first question"},
 {"role":"assistant","content":"first answer"},
 {"role":"developer","content":"Use English."},
 {"role":"user","content":"second question"}]
JSON
fake_reset
llm complete -p anthropic --messages "$TMP/chat.json" </dev/null
assert_exit 0 "--messages alone (stdin not read)"
assert_eq "user,assistant,user" "$(fake_req '[.body.messages[].role] | join(",")')" "anthropic: turns kept in order"
assert_contains "$(fake_req '.body.system | if type == "string" then . else map(.text) | join(" ") end')" "You are terse." "system message -> system"
assert_contains "$(fake_req '.body.system | if type == "string" then . else map(.text) | join(" ") end')" "Use English." "developer message -> system"
llm complete -p openai --messages "$TMP/chat.json" "third question" </dev/null
assert_exit 0 "--messages plus a prompt"
assert_eq "system,user,assistant,user,user" "$(fake_req '[.body.messages[].role] | join(",")')" "openai: system first, then the turns, then the prompt"
assert_eq "third question" "$(fake_req '.body.messages[-1].content')"

# ---------------------------------------------------------------- big prompts

# A 3 MB prompt goes through the mock end to end.
{ yes 'The quick brown fox jumps over the lazy dog.' | head -c $((3 * 1000 * 1000)) >"$TMP/big3.txt"; } || true
fake_reset
before=$(record_count)
llm_env LLM_RATE_LIMIT_TOKENS=0 -- complete -p mock - <"$TMP/big3.txt"
assert_exit 0 "3 MB prompt to mock"
[[ -n $LLM_STDOUT ]] || fail "3 MB prompt: no answer"
assert_eq $((before + 1)) "$(record_count)"
# 10 MB: handled without a crash, sent, or refused by a documented limit
# (the mock's 1M-token window: exit 6, before anything is reserved).
{ yes 'The quick brown fox jumps over the lazy dog.' | head -c $((10 * 1000 * 1000)) >"$TMP/big10.txt"; } || true
llm_env LLM_RATE_LIMIT_TOKENS=0 -- complete -p mock - <"$TMP/big10.txt"
assert_match "$LLM_RC" '^(0|6)$' "10 MB prompt to mock: exit 0, or 6 (context window) — never a crash"
if [[ $LLM_RC == 6 ]]; then
  assert_contains "$LLM_STDERR" "window" "10 MB refused: says the context window"
fi
assert_nothing_sent "mock sends nothing"
rm -f "$TMP/big3.txt" "$TMP/big10.txt"

pass
