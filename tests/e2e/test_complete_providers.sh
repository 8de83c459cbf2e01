#!/usr/bin/env bash
# `llmctl complete` end to end on every provider: the answer on
# stdout, exit 0, one truthful record, --json, and the exact request each
# provider's wire protocol expects (auth header, body fields, system prompt
# placement, temperature, max-tokens field).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/core_helpers.sh"

start_fake
write_local_config
LLM_ENV+=("LLM_MAX_RETRIES=0" "LOCAL_KEY=test-key")

# provider -> (expected answer, expected model, fake path)
declare -A ANSWER=([openai]="Hello from fake openai." [anthropic]="Hello from fake anthropic."
  [gemini]="Hello from fake gemini." [local]="Hello from fake openai.")
declare -A MODEL=([openai]=gpt-4o-mini [anthropic]=claude-haiku-4-5 [gemini]=gemini-2.5-flash [local]=llama3.2)

n=0
for p in openai anthropic gemini local; do
  fake_reset
  llm --config "$LOCAL_CONFIG" complete -p "$p" -s "Be terse." --temperature 0.3 --max-tokens 321 \
    "Say hello to the end-to-end test" </dev/null
  assert_exit 0 "$p: exit 0"
  assert_eq "${ANSWER[$p]}" "$LLM_STDOUT" "$p: the answer alone on stdout"
  assert_eq 1 "$(fake_stats .requests)" "$p: exactly one request sent"
  n=$((n + 1))
  assert_eq "$n" "$(record_count)" "$p: one record per call"
  last_record
  assert_json .provider "$p" "$REC"
  assert_json .model "${MODEL[$p]}" "$REC"
  assert_json .finish_reason stop "$REC"
  assert_json .error null "$REC"
  assert_json .error_type null "$REC"
  assert_json .cache_hit false "$REC"
  assert_json .fallback_used false "$REC"
  assert_json .user_id tester "$REC"
  assert_json '.input_tokens > 0' true "$REC"
  assert_json .output_tokens 4 "$REC"
  assert_json '.cost_usd > 0' true "$REC"
  assert_json '.latency_ms > 0' true "$REC"
  assert_json .ttft_ms null "$REC"
  assert_json '.attempts | length' 1 "$REC"
  assert_json '.attempts[0] | "\(.provider) \(.model) \(.status) \(.error_type)"' "$p ${MODEL[$p]} 200 null" "$REC"
  assert_match "$(json_get .prompt_hash "$REC")" '^sha256:[0-9a-f]{64}$' "$p: prompt_hash"
  assert_match "$(json_get .request_id "$REC")" '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' "$p: request_id is a UUID"
  assert_match "$(json_get .timestamp "$REC")" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$' "$p: timestamp"
  assert_json .llmctl_version "$("$LLMCTL_BIN" --version | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -n1)" "$REC"
  assert_json '.text // "absent"' absent "$REC"
  if ! grep -q "Say hello to the end-to-end test" "$TMP/llmctl.db"; then ASSERTIONS=$((ASSERTIONS + 1)); else fail "$p: the prompt text is stored in the database"; fi

  # The request on the wire.
  case $p in
    openai | local)
      assert_eq /v1/chat/completions "$(fake_req .path)" "$p: path"
      assert_eq "Bearer test-key" "$(fake_req .headers.authorization)" "$p: Authorization header"
      assert_eq "${MODEL[$p]}" "$(fake_req .body.model)"
      assert_eq "system Be terse." "$(fake_req '.body.messages[0] | "\(.role) \(.content)"')" "$p: system prompt is the first message"
      assert_eq "user Say hello to the end-to-end test" "$(fake_req '.body.messages[1] | "\(.role) \(.content)"')"
      assert_eq 0.3 "$(fake_req .body.temperature)" "$p: temperature"
      assert_eq "false" "$(fake_req '.body.stream // false')" "$p: not streamed by default"
      if [[ $p == openai ]]; then
        assert_eq "321 null" "$(fake_req '"\(.body.max_completion_tokens) \(.body.max_tokens)"')" "openai: max_completion_tokens, not max_tokens"
      else
        assert_eq "321 null" "$(fake_req '"\(.body.max_tokens) \(.body.max_completion_tokens)"')" "local: max_tokens_field = max_tokens"
        assert_eq "llmctl-e2e" "$(fake_req '.headers["x-title"]')" "local: extra headers from the config file"
      fi
      ;;
    anthropic)
      assert_eq /v1/messages "$(fake_req .path)" "anthropic: path"
      assert_eq test-key "$(fake_req '.headers["x-api-key"]')" "anthropic: x-api-key"
      assert_eq null "$(fake_req .headers.authorization)" "anthropic: no Authorization header"
      assert_match "$(fake_req '.headers["anthropic-version"]')" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}$' "anthropic-version header"
      assert_eq "Be terse." "$(fake_req '.body.system | if type == "string" then . else .[0].text end')" "anthropic: top-level system"
      assert_eq "user" "$(fake_req '[.body.messages[].role] | join(",")')" "anthropic: no system role in messages"
      assert_eq 321 "$(fake_req .body.max_tokens)" "anthropic: max_tokens"
      assert_eq 0.3 "$(fake_req .body.temperature)"
      ;;
    gemini)
      assert_eq /v1beta/models/gemini-2.5-flash:generateContent "$(fake_req .path)" "gemini: path"
      assert_eq test-key "$(fake_req '.headers["x-goog-api-key"]')" "gemini: x-goog-api-key header"
      assert_eq null "$(fake_req .query.key)" "gemini: the key is NOT in the URL"
      assert_eq "Be terse." "$(fake_req '.body.systemInstruction.parts[0].text')" "gemini: systemInstruction"
      assert_eq "user Say hello to the end-to-end test" "$(fake_req '.body.contents[0] | "\(.role) \(.parts[0].text)"')"
      assert_eq 1 "$(fake_req '.body.contents | length')" "gemini: the system prompt is not a content turn"
      assert_eq "321 0.3" "$(fake_req '.body.generationConfig | "\(.maxOutputTokens) \(.temperature)"')" "gemini: generationConfig"
      ;;
  esac

  # --json: the record plus "text", one object on stdout.
  llm --config "$LOCAL_CONFIG" complete -p "$p" --json "hello json" </dev/null
  assert_exit 0 "$p --json"
  assert_eq 1 "$(wc -l <"$LLM_OUT")" "$p --json: one line"
  assert_json .text "${ANSWER[$p]}"
  assert_json .provider "$p"
  assert_json '.cost_usd > 0' true
  assert_match "$(json_get .prompt_hash)" '^sha256:'
  rid=$(json_get .request_id)
  n=$((n + 1))
  assert_eq 1 "$(db_query "select count(*) from calls where request_id = '$rid'")" "$p --json: its record is the stored one"
done

# mock: offline, free, deterministic, no key needed.
fake_reset
llm_env -u OPENAI_API_KEY -u ANTHROPIC_API_KEY -u GOOGLE_API_KEY -- complete -p mock "hello mock" </dev/null
assert_exit 0 "mock: exit 0 without any key"
first=$LLM_STDOUT
[[ -n $first ]] || fail "mock: empty answer"
llm complete -p mock "hello mock" </dev/null
assert_eq "$first" "$LLM_STDOUT" "mock is deterministic"
llm complete -m mock:mock-1 --json "hello mock" </dev/null
assert_exit 0
assert_json .text "$first"
assert_json '"\(.provider) \(.model) \(.cost_usd) \(.finish_reason)"' "mock mock-1 0 stop"
assert_json '.attempts | length' 1
assert_match "$(json_get .prompt_hash)" '^sha256:[0-9a-f]{64}$'
assert_nothing_sent "mock never contacts a provider"
n=$((n + 3))
assert_eq "$n" "$(record_count)" "every call wrote exactly one record"
last_record
assert_json '"\(.provider) \(.cost_usd) \(.output_tokens > 0)"' "mock 0 true" "$REC"

# -m provider:model and LLM_PROVIDER/LLM_MODEL choose the model.
fake_reset
llm complete -m anthropic:claude-sonnet-4-5 "hi" </dev/null
assert_exit 0
assert_eq "/v1/messages claude-sonnet-4-5" "$(fake_req '"\(.path) \(.body.model)"')" "-m provider:model"
llm_env LLM_PROVIDER=gemini LLM_MODEL=gemini-2.5-pro -- complete "hi" </dev/null
assert_exit 0
assert_eq /v1beta/models/gemini-2.5-pro:generateContent "$(fake_req .path)" "LLM_PROVIDER + LLM_MODEL"
llm_env LLM_PROVIDER=gemini LLM_MODEL=gemini-2.5-pro -- complete -p anthropic "hi" </dev/null
assert_exit 0
assert_eq "claude-haiku-4-5" "$(fake_req .body.model)" "-p alone picks that provider's default model"

# The answer gets exactly one final newline.
fake_script '[{"text":"line one\n"}]'
llm complete "hi" </dev/null
assert_exit 0
assert_eq "$(printf 'line one\nx')" "$(cat "$LLM_OUT"; echo -n x)" "an answer ending in a newline gets no extra one"

# KNOWN BUG (reported to the lead, src/commands/complete.cc): --fallback is a
# repeatable option that swallows the prompt words after it, so the README's
# `llmctl complete --fallback PROVIDER:MODEL "prompt"` fails with exit 2
# ("--fallback hello there: expected provider:model"). Repro:
#   llmctl complete -p mock --fallback mock:mock-2 "hello there"   -> exit 2
llm complete -p mock --fallback mock:mock-2 "hello there" </dev/null
assert_exit 0 "[KNOWN BUG] --fallback followed by the prompt"
assert_eq 1 "$(grep -c . "$LLM_OUT")" "[KNOWN BUG] --fallback followed by the prompt: an answer"

pass
