#!/usr/bin/env bash
# `llmctl config-check`: ok -> exit 0; a FAIL (bad value, missing
# key, failed ping) -> exit 3 with the fix; keys only ever masked; --json;
# --ping lists models at every configured provider (free GETs, no
# completion); warn for an unpriced model.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/core_helpers.sh"

KEY=sk-e2e-Zq8RkP2vX7mN4tL9wB6yC3-abcd
start_fake --key "$KEY"
LLM_ENV+=("OPENAI_API_KEY=$KEY" "ANTHROPIC_API_KEY=$KEY" "GOOGLE_API_KEY=$KEY" "LOCAL_KEY=$KEY")
write_local_config

no_key_leak() { # LABEL
  assert_not_contains "$LLM_STDOUT" "$KEY" "$1: the full key is not on stdout"
  assert_not_contains "$LLM_STDERR" "$KEY" "$1: the full key is not on stderr"
  assert_not_contains "$LLM_STDOUT$LLM_STDERR" "Zq8RkP2vX7mN4tL9wB6yC3" "$1: not even the middle of the key"
}

# All ok.
llm config-check </dev/null
assert_exit 0 "all ok"
assert_not_contains "$LLM_STDOUT" FAIL
assert_match "$LLM_STDOUT" '(^|'$'\n'')ok +provider openai' "a line for the provider"
assert_match "$LLM_STDOUT" 'sk-…abcd|sk-\.\.\.abcd|sk-\*+abcd' "the key shown masked"
assert_match "$LLM_STDOUT" 'database' "a database check"
assert_match "$LLM_STDOUT" 'price' "a price check"
no_key_leak "plain"
while IFS= read -r line; do
  assert_match "$line" '^(ok|warn|FAIL) ' "every line starts with ok/warn/FAIL"
done <<<"$LLM_STDOUT"

# --json parses and has the checks.
llm config-check --json </dev/null
assert_exit 0 "--json"
assert_json '.checks | length > 3' true
assert_json '[.checks[].status | ascii_downcase] | all(. == "ok" or . == "warn" or . == "fail")' true
assert_json '.checks | map(select(.check | test("database"))) | length' 1
assert_json '.ok' true
no_key_leak "--json"

# A bad value: FAIL with the fix, exit 3.
llm_env LLM_TEMPERATURE=3 -- config-check </dev/null
assert_exit 3 "bad value -> exit 3"
fail_line=$(grep '^FAIL' <<<"$LLM_STDOUT" || true)
assert_contains "$fail_line" LLM_TEMPERATURE "the FAIL names the variable"
assert_contains "$fail_line" '"3"' "and the value"
assert_contains "$fail_line" "0 to 2" "and what is valid"
assert_contains "$LLM_STDERR" "error" "one error line on stderr"
# Other settings are still checked.
assert_contains "$LLM_STDOUT" "provider openai" "config-check keeps going after a FAIL"
llm_env LLM_TEMPERATURE=3 LLM_MAX_RETRIES=-1 -- config-check --json </dev/null
assert_exit 3 "--json with FAILs"
assert_json '[.checks[] | select(.status | ascii_downcase == "fail")] | length >= 2' true
assert_json '[.checks[] | select(.status | ascii_downcase == "fail") | .fix | type] | unique | join(",")' string
assert_json .ok false

# A missing key: FAIL naming the variable.
llm_env -u OPENAI_API_KEY -- config-check </dev/null
assert_exit 3 "missing key -> exit 3"
assert_contains "$(grep '^FAIL' <<<"$LLM_STDOUT")" OPENAI_API_KEY "the FAIL names the key variable"
llm_env -u ANTHROPIC_API_KEY LLM_FALLBACKS=anthropic:claude-haiku-4-5 -- config-check </dev/null
assert_exit 3 "missing key of a fallback -> exit 3"
assert_contains "$(grep '^FAIL' <<<"$LLM_STDOUT")" ANTHROPIC_API_KEY

# A bad config file.
printf 'LLM_MAX_TOKEN = 5\n' >"$TMP/typo.toml"
llm --config "$TMP/typo.toml" config-check </dev/null
assert_exit 3 "unknown config-file key -> exit 3"
assert_contains "$LLM_STDOUT$LLM_STDERR" LLM_MAX_TOKEN

# Warn for an unpriced model, still exit 0.
llm_env LLM_MODEL=gpt-e2e-unknown-model -- config-check </dev/null
assert_exit 0 "an unpriced model is only a warning"
assert_contains "$(grep '^warn' <<<"$LLM_STDOUT")" gpt-e2e-unknown-model "warn names the model"
llm_env LLM_MODEL=gpt-e2e-unknown-model -- config-check --json </dev/null
assert_json '[.checks[] | select(.status == "warn")] | length >= 1' true

# --ping: one free model-list request per configured provider, no completion.
fake_reset
llm_env LLMCTL_CONFIG="$LOCAL_CONFIG" "LLM_FALLBACKS=anthropic:claude-haiku-4-5,gemini:gemini-2.5-flash,local:llama3.2" -- config-check --ping </dev/null
assert_exit 0 "--ping, all reachable"
assert_eq 3 "$(fake_stats '.by_path["/v1/models"] // 0')" "--ping: GET /v1/models for openai, anthropic and local"
assert_eq 1 "$(fake_stats '.by_path["/v1beta/models"] // 0')" "--ping: GET /v1beta/models for gemini"
assert_eq "GET" "$(fake_stats '[.recent[].method] | unique | join(",")')" "--ping only GETs"
assert_eq null "$(fake_stats '.by_path["/v1/chat/completions"]')" "no completion sent"
assert_eq "$KEY" "$(fake_stats '.recent[] | select(.path == "/v1beta/models") | .headers["x-goog-api-key"]')" "gemini ping: key in the header"
assert_eq null "$(fake_stats '.recent[] | select(.path == "/v1beta/models") | .query.key')" "gemini ping: key NOT in the URL"
assert_eq 1 "$(fake_stats '[.recent[] | select(.path == "/v1/models" and .headers["anthropic-version"] != null and .headers["x-api-key"] != null)] | length')" "anthropic ping: x-api-key + anthropic-version"
assert_match "$LLM_STDOUT" 'ok +ping (openai|anthropic|gemini|local)' "ping lines"
no_key_leak "--ping"

# --ping against a provider that rejects the key: FAIL, exit 3.
fake_reset
fake_script '[{"match":"/v1/models","status":401,"times":5}]'
llm config-check --ping </dev/null
assert_exit 3 "--ping with a failing provider"
assert_contains "$(grep '^FAIL' <<<"$LLM_STDOUT")" 401 "the FAIL shows the HTTP status"
no_key_leak "--ping failing"

# Verbose output never shows the key either.
llm -vv config-check --ping </dev/null
no_key_leak "-vv --ping"

pass
