#!/usr/bin/env bash
# shellcheck disable=SC2034  # LLM_ENV and LLM_UNSET are read by lib.sh
# Pre-flight. Context window (exit 6, by how much, nothing sent),
# output limit, unknown models (price_source unknown, a warning, cost > 0),
# LLMCTL_PRICING_FILE (LiteLLM format, cached tokens at the cache price),
# `llmctl models`, and --dry-run (estimate, the refusal a limit would give,
# its exit code, no quota, nothing sent, no record).
source "$(dirname "$0")/lib.sh"

start_fake --quiet
LLM_ENV=(LLM_CACHE=off LLM_MAX_RETRIES=0 LLM_RATE_LIMIT_TOKENS=0)
records() { db_query 'SELECT COUNT(*) FROM calls'; }

# ---------------------------------------------------------------- context window
# 120 000 Han characters, one o200k token each (exact count for gpt-4o-mini):
# 120000 + 3 framing + "user" 1 + 3 priming = 120007, x1.10 = 132007.7 ->
# 132008 input tokens; + 2048 max output = 134056, over gpt-4o-mini's 128000 by 6056.
awk 'BEGIN { for (i = 0; i < 120000; i++) printf "中" }' >"$TMP/huge.txt"
llm complete -m openai:gpt-4o-mini - <"$TMP/huge.txt"
assert_exit 6 "a prompt too large for the window"
assert_contains "$LLM_STDERR" "132008" "the estimate"
assert_contains "$LLM_STDERR" "128000" "the window"
assert_contains "$LLM_STDERR" "by 6056" "by how much"
assert_eq 0 "$(fake_stats .requests)" "nothing sent"
llm logs -n 1
# recorded
assert_json .error_type context_window

# The same prompt fits with a smaller --max-tokens? No: 132008 alone is over.
# A prompt that fits alone but not with max_tokens: 115000 Han characters ->
# 115007 x 1.1 = 126507.7 -> 126508; + 2048 = 128556, over by 556; with
# --max-tokens 1000 it is 127508 and fits.
awk 'BEGIN { for (i = 0; i < 115000; i++) printf "中" }' >"$TMP/large.txt"
llm complete --dry-run - <"$TMP/large.txt"
assert_exit 6 "input estimate + max_tokens above the window"
assert_json .estimate.input_tokens 126508
assert_contains "$LLM_STDERR" "by 556"
llm complete --dry-run --max-tokens 1000 - <"$TMP/large.txt"
assert_exit 0 "fits once max_tokens is lowered"
assert_json .estimate.context_window 128000

llm complete --max-tokens 20000 hello </dev/null
assert_exit 6 "--max-tokens above the model's output limit"
assert_contains "$LLM_STDERR" "16384" "names the output limit"
assert_contains "$LLM_STDERR" "20000"
assert_eq 0 "$(fake_stats .requests)" "nothing sent"

# ---------------------------------------------------------------- unknown model
fake_default_step '{"text":"ok","usage":{"input":1000,"output":100}}'
llm complete --json -m openai:acme-unpriced-9 hello </dev/null
assert_exit 0 "an unknown model still works"
assert_json .price_source unknown
assert_json .model acme-unpriced-9
# $15 / $75 per million: 1000 x 15e-6 + 100 x 75e-6 = $0.0225.
# conservative price, never \$0
assert_json '(.cost_usd * 1e9 | round)' 22500000
assert_contains "$LLM_STDERR" "acme-unpriced-9" "a warning names the model"
assert_match "$LLM_STDERR" "(warn|WARN)" "a warning on stderr"
llm logs -n 1
# stored with price_source unknown
assert_json .price_source unknown

# ---------------------------------------------------------------- pricing file
fake_default_step '{"text":"ok","usage":{"input":1000,"output":100,"cached":400}}'
llm complete --json hello </dev/null
# Built-in gpt-4o-mini: 600 x 0.15 + 400 x 0.075 + 100 x 0.60 per million = $0.00018.
assert_json .price_source builtin
assert_json .cached_input_tokens 400
# cached tokens at the built-in cache price
assert_json '(.cost_usd * 1e9 | round)' 180000

cat >"$TMP/prices.json" <<'EOF'
{
  "sample_spec": {"input_cost_per_token": 0, "output_cost_per_token": 0},
  "gpt-4o-mini": {"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6,
                  "cache_read_input_token_cost": 1e-7, "max_input_tokens": 128000,
                  "max_output_tokens": 16384, "litellm_provider": "openai", "mode": "chat"},
  "openai/acme-priced": {"input_cost_per_token": 3e-6, "output_cost_per_token": 4e-6,
                         "max_input_tokens": 1000, "max_output_tokens": 500},
  "dall-e-3": {"output_cost_per_image": 0.04}
}
EOF
PF=("LLMCTL_PRICING_FILE=$TMP/prices.json")
llm_env "${PF[@]}" -- complete --json hello </dev/null
assert_exit 0
# 600 x 1e-6 + 400 x 1e-7 + 100 x 2e-6 = $0.00084.
# the pricing file changes the recorded cost
assert_json '(.cost_usd * 1e9 | round)' 840000
assert_json .price_source file
fake_default_step '{"text":"ok","usage":{"input":100,"output":10}}'
llm_env "${PF[@]}" -- complete --json -m openai:acme-priced --max-tokens 100 hello </dev/null
assert_exit 0 "a provider-prefixed key adds a model"
# 100 x 3e-6 + 10 x 4e-6
assert_json '(.cost_usd * 1e9 | round)' 340000
assert_json .price_source file
llm_env "${PF[@]}" -- complete -m openai:acme-priced --max-tokens 600 hello </dev/null
assert_exit 6 "max_output_tokens from the pricing file"
llm_env "${PF[@]}" -- models acme --json
assert_json '.models[0].input_usd_per_mtok * 1000 | round' 3000
assert_json '.models[0].max_input_tokens' 1000

# ---------------------------------------------------------------- models
llm models gpt-4o
assert_exit 0 "models gpt-4o"
line=$(grep -E '^gpt-4o ' <<<"$LLM_STDOUT" || true)
[[ -n $line ]] || fail "no gpt-4o row in: $LLM_STDOUT"
assert_contains "$line" "2.5000" "input price per million"
assert_contains "$line" "10.0000" "output price per million"
assert_contains "$line" "128000" "context window"
assert_contains "$line" "16384" "output limit"
llm models gpt-4o --json
assert_exit 0
assert_json '.models[] | select(.model == "gpt-4o") | "\(.input_usd_per_mtok) \(.output_usd_per_mtok) \(.max_input_tokens) \(.max_output_tokens) \(.source)"' \
  "2.5 10 128000 16384 builtin"
# the pattern filters
assert_json '.models | map(select(.model | contains("gpt-4o") | not)) | length' 0
llm models no-such-model-xyz
assert_contains "$LLM_STDOUT" "no model matches"

# ---------------------------------------------------------------- dry run
fake_reset
fake_default_step '{"text":"ok","usage":{"input":10,"output":5}}'
LIM=(LLM_RATE_LIMIT_TOKENS=100 LLMCTL_USER=dry)
for i in 1 2 3 4 5; do llm_env "${LIM[@]}" -- complete --max-tokens 20 hello </dev/null; done
assert_exit 0
n_records=$(records)
llm_env "${LIM[@]}" -- limits --json
cp "$LLM_OUT" "$TMP/limits_before.json"

llm_env "${LIM[@]}" -- complete --dry-run --max-tokens 20 hello </dev/null
assert_exit 4 "the dry run exits with the refusal's code"
assert_json .dry_run true
assert_json .would_send false
assert_json .estimate.input_tokens 9
assert_json .estimate.max_output_tokens 20
assert_json .limits.window_tokens_used 75
assert_json .limits.window_tokens_limit 100
assert_match "$(json_get .refusal)" "rate limit: user dry used 75 of 100 tokens" "the refusal a real call would get"
assert_not_contains "$LLM_STDOUT" "test-key" "the key is masked"
assert_eq 5 "$(fake_stats .requests)" "a dry run sends nothing"
assert_eq "$n_records" "$(records)" "a dry run writes no record"
assert_eq 0 "$(db_query 'SELECT COUNT(*) FROM reservations')" "a dry run reserves nothing"
llm_env "${LIM[@]}" -- limits --json
assert_eq "$(jq -c '.window | del(.resets_in_seconds)' "$TMP/limits_before.json")" \
  "$(jq -c '.window | del(.resets_in_seconds)' "$LLM_OUT")" "a dry run uses no quota"

llm_env "${LIM[@]}" -- complete --dry-run --max-tokens 15 hello </dev/null
assert_exit 0 "a dry run that would go through exits 0"
assert_json .would_send true
assert_json .refusal null
# the request that would be sent
assert_json '.request | type' object
llm_env "${LIM[@]}" -- limits --json
# even an admitted dry run reserves nothing
assert_json .window.tokens_used 75

llm_env LLM_MAX_COST_PER_REQUEST=0.00001 -- complete --dry-run --max-tokens 20 hello </dev/null
assert_exit 5 "dry run: the cost guard's code"
assert_json .would_send false
assert_contains "$(json_get .refusal)" LLM_MAX_COST_PER_REQUEST
# 9 input x $0.15/M + min(20, 2 x 9) = 18 output x $0.60/M
assert_json '(.estimate.cost_usd * 1e9 | round)' 12150

llm_env LLM_USER_DAILY_BUDGET_USD=0.0000001 -- complete --dry-run --max-tokens 20 hello </dev/null
assert_exit 5 "dry run: a spend cap's code"
assert_contains "$(json_get .refusal)" LLM_USER_DAILY_BUDGET_USD

llm complete --dry-run --max-tokens 20000 hello </dev/null
assert_exit 6 "dry run: the context check's code"
assert_eq 5 "$(fake_stats .requests)" "no dry run sent anything"
assert_eq "$n_records" "$(records)" "no dry run wrote a record"

# ---------------------------------------------------------------- a bad pricing file
# A bad value stops every command before anything is sent (README,
# Configuration); the dry run already says so with exit 3, and a real call
# must agree with it instead of pricing at the built-in table.
echo '{not json' >"$TMP/bad_prices.json"
llm_env "LLMCTL_PRICING_FILE=$TMP/bad_prices.json" -- complete --dry-run hello </dev/null
assert_exit 3 "dry run: an invalid pricing file is a configuration error"
before=$(fake_stats .requests)
llm_env "LLMCTL_PRICING_FILE=$TMP/bad_prices.json" -- complete hello </dev/null
assert_exit 3 "a real call with an invalid pricing file exits 3 like its dry run"
assert_eq "$before" "$(fake_stats .requests)" "and sends nothing"
llm_env "LLMCTL_PRICING_FILE=$TMP/no-such-prices.json" -- complete hello </dev/null
assert_exit 3 "an unreadable pricing file exits 3"

pass
