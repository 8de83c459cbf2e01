#!/usr/bin/env bash
# shellcheck disable=SC2034  # LLM_ENV is read by lib.sh
# Models and prices: a model named alone goes to the provider the price
# table knows it under; an unknown provider prefix is an error naming the
# known ones; the built-in table is the dated LiteLLM snapshot (chat models
# of the built-in providers); a declared endpoint carries its own price (0
# for a free local model); cost-report marks unknown-priced calls.
source "$(dirname "$0")/lib.sh"

start_fake --quiet
LLM_ENV=(LLM_MAX_RETRIES=0 LLM_CACHE=off)
last_path() { fake_stats .last_request.path; }

# ---------------------------------------------------------------- provider from the model name
llm complete -m claude-haiku-4-5 "hello" </dev/null
assert_exit 0 "-m claude-haiku-4-5"
assert_eq /v1/messages "$(last_path)" "a Claude model goes to anthropic"
llm complete -m gemini-2.5-flash "hello" </dev/null
assert_exit 0
assert_eq /v1beta/models/gemini-2.5-flash:generateContent "$(last_path)" "a Gemini model goes to gemini"
llm complete -m claude-3-haiku-20240307 --json "hello" </dev/null
assert_exit 0
assert_json .provider anthropic
assert_json .price_source builtin
llm complete -m gpt-4-turbo --json "hello" </dev/null
assert_exit 0
assert_json .provider openai
assert_json .price_source builtin
llm complete -m gemini-3-flash-preview --json "hello" </dev/null
assert_exit 0
assert_json .provider gemini
assert_json .price_source builtin
# -p still decides when given.
llm complete -p anthropic -m gpt-4o "hello" </dev/null
assert_exit 0
assert_eq /v1/messages "$(last_path)"

llm complete -m antropic:claude-haiku-4-5 "hello" </dev/null
assert_exit 2 "a mistyped provider prefix"
assert_contains "$LLM_STDERR" 'unknown provider "antropic"'
assert_contains "$LLM_STDERR" "openai, anthropic, gemini, mock"

# ---------------------------------------------------------------- the snapshot
llm models --json
assert_exit 0
assert_json .snapshot_date 2026-12-01
n=$(json_get '.models | length')
((n > 100)) || fail "only $n models in the built-in table"
ASSERTIONS=$((ASSERTIONS + 1))
assert_json '[.models[] | select(.model == "gpt-4o-mini")][0].input_usd_per_mtok * 1000 | round' 150
assert_json '[.models[] | select(.model | startswith("ft:"))] | length' 0
llm models
assert_contains "$LLM_STDOUT" "LiteLLM snapshot of 2026-12-01"

# ---------------------------------------------------------------- a declared endpoint's own price
mkdir -p "$TMP/config/llmctl"
cat >"$TMP/config/llmctl/config.toml" <<TOML
[providers.local]
base_url = "$FAKE_URL/v1"
api_key_env = "OPENAI_API_KEY"
default_model = "llama3.2"
input_cost_per_token = 0
output_cost_per_token = 0

[providers.unpriced]
base_url = "$FAKE_URL/v1"
api_key_env = "OPENAI_API_KEY"
default_model = "llama3.2"
TOML
# At the unknown placeholder ($15/$75 per M) "hello" (about ten tokens,
# twice that expected out) is estimated above a $0.0005 guard.
llm_env LLM_MAX_COST_PER_REQUEST=0.0005 -- complete -m unpriced:llama3.2 "hello" </dev/null
assert_exit 5 "an unpriced local model is refused by the cost guard"
llm_env LLM_MAX_COST_PER_REQUEST=0.0005 -- complete -m local:llama3.2 --json "hello" </dev/null
assert_exit 0 "a free local model is not"
assert_json .cost_usd 0
assert_json .price_source file
assert_not_contains "$LLM_STDERR" "no price known"
printf '[providers.x]\nbase_url = "http://h/v1"\ninput_cost_per_token = "cheap"\n' >"$TMP/bad.toml"
llm --config "$TMP/bad.toml" complete -p x "hello" </dev/null
assert_exit 3 "a bad price is a configuration error"
assert_contains "$LLM_STDERR" "input_cost_per_token"
rm "$TMP/config/llmctl/config.toml"

# ---------------------------------------------------------------- cost-report marks unknown prices
llm complete -m openai:gpt-unheard-of "hello" </dev/null
assert_exit 0
assert_contains "$LLM_STDERR" "no price known"
llm cost-report
assert_exit 0
assert_contains "$LLM_STDOUT" "note: 1 of"
assert_contains "$LLM_STDOUT" "placeholder"
llm cost-report --format json
assert_json .total.unknown_price_calls 1
llm cost-report --by model --format json
assert_json '.groups[] | select(.model == "gpt-unheard-of") | .unknown_price_calls' 1
assert_json '[.groups[] | select(.model == "gpt-unheard-of")][0].cost_usd == .total.unknown_price_cost_usd' true
llm cost-report --by model --format csv
assert_contains "$(head -1 <<<"$LLM_STDOUT")" "unknown_price_calls,unknown_price_cost_usd"
assert_match "$(grep gpt-unheard-of <<<"$LLM_STDOUT")" ",1,[0-9.]+$"

pass
