#!/usr/bin/env bash
# shellcheck disable=SC2034  # LLM_ENV and LLM_UNSET are read by lib.sh
# Conversations: the second call carries the first turn; a failed, refused
# or truncated call leaves the conversation as it was (a truncated one is
# kept under --allow-truncated); the sliding window drops the oldest pairs
# and keeps the system message; exit 6 only when the newest turn alone does
# not fit the model's window; 8 concurrent calls keep all 8 turns;
# conversation list/show/rm; --fit on a --messages file.
source "$(dirname "$0")/lib.sh"

start_fake --quiet
LLM_ENV=(LLM_CACHE=off LLM_MAX_RETRIES=0 LLM_RATE_LIMIT_TOKENS=0)
req() { fake_stats ".last_request.body | $1"; }
turns() { llm conversation show "$1" --json && json_get '.turns | length'; }

# ---------------------------------------------------------------- two calls
fake_script '{"text":"Paris."}'
llm complete -C geo -s "Answer in one word." "Capital of France?" </dev/null
assert_exit 0 "first turn"
assert_eq "Paris." "$LLM_STDOUT"
fake_script '{"text":"Berlin."}'
llm complete -C geo --json "And of Germany?" </dev/null
assert_exit 0 "second turn"
assert_json .conversation geo
assert_json .history_dropped 0
assert_eq '["system","user","assistant","user"]' "$(req '.messages | map(.role) | tojson')" "history sent"
assert_eq '"Answer in one word."' "$(req '.messages[0].content | tojson')" "the stored system message is sent again"
assert_eq '"Capital of France?"' "$(req '.messages[1].content | tojson')" "the first prompt"
assert_eq '"Paris."' "$(req '.messages[2].content | tojson')" "the first answer"
assert_eq '"And of Germany?"' "$(req '.messages[3].content | tojson')" "the new prompt last"

llm conversation show geo --json
assert_exit 0
assert_json '.turns | length' 2
assert_json '.system' "Answer in one word."
assert_json '.turns[1].answer' "Berlin."
assert_json '.turns[0].model' "openai:gpt-4o-mini"
llm conversation show geo
assert_contains "$LLM_STDOUT" "Capital of France?"
assert_contains "$LLM_STDOUT" "Berlin."
llm conversation list --json
assert_json '.[0].name' geo
assert_json '.[0].turns' 2
llm conversation list
assert_contains "$LLM_STDOUT" "geo"

# Another user's conversation of the same name is another conversation.
llm complete -u someone-else -C geo "Hello?" </dev/null
assert_exit 0
assert_eq '["user"]' "$(req '.messages | map(.role) | tojson')" "per user"

# ---------------------------------------------------------------- failures leave it as it was
fake_script '{"status":400,"error":{"type":"invalid_request_error","message":"bad"}}'
llm complete -C geo "Fails?" </dev/null
assert_exit 8 "provider failure"
assert_eq 2 "$(turns geo)" "a failed call adds no turn"
fake_script '{"text":"Rome is","finish":"length"}'
llm complete -C geo "And Italy?" </dev/null
assert_exit 7 "truncated"
assert_eq 2 "$(turns geo)" "a truncated call adds no turn"
llm_env LLM_MAX_COST_PER_REQUEST=0.0000001 -- complete -C geo "Too dear?" </dev/null
assert_exit 5 "refused by the cost guard"
assert_eq 2 "$(turns geo)" "a refused call adds no turn"
fake_script '{"text":"Rome is","finish":"length"}'
llm complete -C geo --allow-truncated "And Italy?" </dev/null
assert_exit 0
assert_eq 3 "$(turns geo)" "--allow-truncated keeps a truncated turn"

# ---------------------------------------------------------------- the cache key holds the history
fake_reset
llm_env LLM_TEMPERATURE=0 LLM_CACHE=auto -- complete -C cached "Same words" </dev/null
llm_env LLM_TEMPERATURE=0 LLM_CACHE=auto -- complete -C cached "Same words" --json </dev/null
assert_exit 0
assert_json .cache_hit false
assert_eq 2 "$(fake_stats .requests)"

# ---------------------------------------------------------------- sliding window
# A model with a 400-token window, through the pricing file.
cat >"$TMP/prices.json" <<'JSON'
{"tiny-chat": {"litellm_provider": "openai", "mode": "chat", "max_input_tokens": 400,
               "max_output_tokens": 50, "input_cost_per_token": 1e-07, "output_cost_per_token": 1e-07}}
JSON
LLM_ENV+=("LLMCTL_PRICING_FILE=$TMP/prices.json" LLM_MAX_TOKENS=20)
words() { printf 'word%s ' $(seq "$1" $(($1 + 19))); }
for i in 0 1 2 3 4; do
  fake_script "{\"text\":\"answer $i\"}"
  llm complete -m openai:tiny-chat -C win -s "Keep me." "question $i $(words 0) $(words 20) $(words 40)" </dev/null
  assert_exit 0 "turn $i"
done
# The last calls already had to drop their oldest pairs.
llm complete -m openai:tiny-chat -C win --dry-run "newest" </dev/null
assert_exit 0
full_dropped=$(json_get .history_dropped)
llm_env LLM_HISTORY_MAX_TOKENS=100000 -- complete -m openai:tiny-chat -C win --json "newest" </dev/null
assert_exit 0
dropped=$(json_get .history_dropped)
assert_eq "$full_dropped" "$dropped" "the dry run and the call agree"
((dropped > 0 && dropped % 2 == 0)) || fail "the 400-token window should drop whole pairs, dropped $dropped"
assert_eq '"Keep me."' "$(req '.messages[0].content | tojson')" "the system message is kept"
assert_eq '"newest"' "$(req '.messages[-1].content | tojson')" "the newest turn is sent"
kept_first=$(req '.messages[1].content')
assert_match "$kept_first" "^question [0-9]+ " "the history left starts with a question"
assert_eq $((12 - dropped)) "$(req '.messages | length')" "system + the 10 history messages kept + newest"
assert_contains "$(req '.messages[-2].content')" "answer" "the latest pair is kept"

# LLM_HISTORY_MAX_TOKENS below the newest turn alone: sent without history.
llm_env LLM_HISTORY_MAX_TOKENS=5 -- complete -m openai:tiny-chat -C win --json "newest again" </dev/null
assert_exit 0 "the newest turn fits the model's window, so it is sent alone"
assert_eq '["system","user"]' "$(req '.messages | map(.role) | tojson')"
assert_json .history_dropped 12

# The newest turn alone over the model's window: exit 6, nothing sent, no turn.
before=$(turns win)
fake_reset
huge=""
for i in $(seq 0 20 240); do huge+="$(words "$i")"; done
llm complete -m openai:tiny-chat -C win "$huge" </dev/null
assert_exit 6 "the newest turn alone does not fit"
assert_contains "$LLM_STDERR" "context window exceeded"
assert_eq 0 "$(fake_stats .requests)" "nothing sent"
assert_eq "$before" "$(turns win)" "no turn added"
llm logs -n 1
assert_json .error_type context_window
assert_json .conversation win

# --fit on a --messages file.
jq -n --arg w "$(words 0) $(words 20) $(words 40)" '[{role:"system",content:"Sys."}] + ([range(0;6)] | map({role:"user",content:("q \(.) " + $w)},{role:"assistant",content:"a"})) + [{role:"user",content:"last"}]' >"$TMP/long.json"
llm complete -m openai:tiny-chat --messages "$TMP/long.json" </dev/null
assert_exit 6 "without --fit the file is refused"
llm complete -m openai:tiny-chat --messages "$TMP/long.json" --fit --json </dev/null
assert_exit 0 "--fit drops the oldest pairs"
dropped=$(json_get .history_dropped)
((dropped > 0 && dropped % 2 == 0)) || fail "--fit should drop whole pairs, dropped $dropped"
assert_eq '"Sys."' "$(req '.messages[0].content | tojson')"
assert_eq '"last"' "$(req '.messages[-1].content | tojson')"
llm complete --fit hello </dev/null
assert_exit 2 "--fit needs --messages"
llm complete -C x --messages "$TMP/long.json" </dev/null
assert_exit 2 "--conversation takes a prompt, not a --messages file"
LLM_ENV=(LLM_CACHE=off LLM_MAX_RETRIES=0 LLM_RATE_LIMIT_TOKENS=0)

# ---------------------------------------------------------------- concurrency
fake_default_step '{"text":"ok","delay_ms":100}'
for i in 0 1 2 3 4 5 6 7; do llm_bg "p$i" complete -C busy "turn $i"; done
for i in 0 1 2 3 4 5 6 7; do
  llm_wait "p$i"
  assert_exit 0 "concurrent call $i"
done
llm conversation show busy --json
assert_json '.turns | length' 8
assert_json '[.turns[].prompt] | sort | join(",")' "turn 0,turn 1,turn 2,turn 3,turn 4,turn 5,turn 6,turn 7"
assert_json '[.turns[].seq] | join(",")' "1,2,3,4,5,6,7,8"

# ---------------------------------------------------------------- rm
llm conversation rm busy --json
assert_exit 0
assert_json .removed busy
llm conversation show busy
assert_exit 2 "a removed conversation is gone"
assert_contains "$LLM_STDERR" "no conversation \"busy\""
llm conversation rm busy
assert_exit 2
llm conversation show geo
assert_exit 0 "other conversations stay"

# Without -C no text is stored anywhere.
fake_default_step '{"text":"unstored answer words"}'
llm complete "a prompt nobody keeps" </dev/null
assert_exit 0
if grep -a -q "a prompt nobody keeps" "$TMP/llmctl.db"* 2>/dev/null; then fail "the prompt of a call without -C was stored"; fi
ASSERTIONS=$((ASSERTIONS + 1))

pass
