#!/usr/bin/env bash
# Provider errors on every provider: each provider's JSON error
# envelope for 400/401/403/404 and a 502 with an nginx HTML body -> one stderr
# line with provider, HTTP status, error type and message; exit 8; a record
# with error and error_type. Content-filter stops (OpenAI content_filter,
# Anthropic refusal, Gemini SAFETY and promptFeedback block) -> exit 8,
# error_type content_filter. Retries and fallbacks are off here.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/core_helpers.sh"

start_fake
write_local_config
LLM_ENV+=("LLM_MAX_RETRIES=0" "LOCAL_KEY=test-key" "LLMCTL_CONFIG=$LOCAL_CONFIG")

HTML=$'<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>\r\n'
html_step=$(jq -cn --arg b "$HTML" '{status:502, body:$b, content_type:"text/html"}')

# type per provider and status; error_type expected in the record.
declare -A TYPE=(
  [openai/400]=invalid_request_error [openai/401]=invalid_request_error [openai/403]=permission_denied [openai/404]=invalid_request_error
  [anthropic/400]=invalid_request_error [anthropic/401]=authentication_error [anthropic/403]=permission_error [anthropic/404]=not_found_error
  [gemini/400]=INVALID_ARGUMENT [gemini/401]=UNAUTHENTICATED [gemini/403]=PERMISSION_DENIED [gemini/404]=NOT_FOUND)
# OpenAI also sends a specific `code`; showing it instead of the type is fine.
declare -A CODE=([openai/401]=invalid_api_key [openai/403]=unsupported_country_region_territory [openai/404]=model_not_found)
declare -A ETYPE=([400]=invalid_request [401]=auth [403]=auth [404]="invalid_request|provider_error|auth")

count=0
for p in openai anthropic gemini local; do
  proto=$p
  [[ $p == local ]] && proto=openai
  for status in 400 401 403 404; do
    type=${TYPE[$proto/$status]}
    msg="e2e-$p-$status message: something went wrong"
    code=${CODE[$proto/$status]:-}
    fake_script "$(jq -cn --argjson s "$status" --arg t "$type" --arg m "$msg" --arg c "$code" \
      '[{status:$s, error:({type:$t, message:$m} + (if $c == "" then {} else {code:$c} end))}]')"
    llm complete -p "$p" "hello" </dev/null
    # A rejected key is a configuration error (exit 3), the rest provider failures.
    want=8
    [[ $status == 401 || $status == 403 ]] && want=3
    assert_exit "$want" "$p HTTP $status -> exit $want"
    assert_eq "" "$LLM_STDOUT" "$p $status: nothing on stdout"
    errline=$(grep 'error:' <<<"$LLM_STDERR" || true)
    assert_eq 1 "$(grep -c . <<<"$errline")" "$p $status: exactly one error line"
    assert_contains "$errline" "$p" "$p $status: names the provider"
    assert_contains "$errline" "$status" "$p $status: names the HTTP status"
    if [[ $errline != *"$type"* && ( -z $code || $errline != *"$code"* ) ]]; then
      fail "$p $status: the error line names neither the type $type nor the code ${code:-(none)}: $errline"
    fi
    ASSERTIONS=$((ASSERTIONS + 1))
    assert_contains "$errline" "$msg" "$p $status: shows the provider's message"
    assert_not_contains "$LLM_STDERR" test-key "$p $status: no key on stderr"
    assert_eq 1 "$(fake_stats .requests)" "$p $status: one request, no retry"
    fake_reset
    count=$((count + 1))
    assert_eq "$count" "$(record_count)" "$p $status: one record"
    last_record
    assert_match "$(json_get .error_type "$REC")" "^(${ETYPE[$status]})$" "$p $status: record error_type"
    assert_json '.error != null' true "$REC"
    assert_json '"\(.provider) \(.finish_reason) \(.attempts | length) \(.attempts[0].status)"' "$p error 1 $status" "$REC"
    assert_json '.attempts[0].error_type != null' true "$REC"
    assert_json .cost_usd 0 "$REC"
  done

  # A 502 whose body is an HTML page from a proxy.
  fake_script "[$html_step]"
  llm complete -p "$p" "hello" </dev/null
  assert_exit 8 "$p HTML 502 -> exit 8"
  assert_eq 1 "$(grep -c . <<<"$LLM_STDERR")" "$p 502: one stderr line, even for a multi-line HTML body"
  assert_contains "$LLM_STDERR" "$p" "$p 502: names the provider"
  assert_contains "$LLM_STDERR" 502 "$p 502: names the status"
  assert_contains "$LLM_STDERR" "Bad Gateway" "$p 502: shows what the page says"
  assert_not_contains "$LLM_STDERR" "<center>" "$p 502: no raw HTML dumped"
  count=$((count + 1))
  last_record
  assert_json '"\(.error_type) \(.attempts[0].status)"' "provider_error 502" "$REC"
  fake_reset
done

# 401 error types in the record are `auth` on every provider.
fake_script '[{"status":401}]'
llm complete -p anthropic "hello" </dev/null
assert_exit 3 "a rejected key is a configuration error"
assert_contains "$LLM_STDERR" "ANTHROPIC_API_KEY"
last_record
assert_json .error_type auth "$REC"

# ---------------------------------------------------------------- content filter

check_filter() { # PROVIDER STEP MODE LABEL
  fake_script "[$2]"
  llm complete -p "$1" $3 "hello" </dev/null
  assert_exit 8 "$4 -> exit 8"
  assert_eq 1 "$(grep -c 'error:' <<<"$LLM_STDERR")" "$4: one error line"
  assert_contains "$LLM_STDERR" "$1" "$4: names the provider"
  last_record
  assert_json '"\(.error_type) \(.finish_reason)"' "content_filter content_filter" "$REC"
}
for mode in --no-stream --stream; do
  check_filter openai '{"finish":"content_filter"}' $mode "openai content_filter $mode"
  check_filter anthropic '{"finish":"refusal"}' $mode "anthropic refusal $mode"
  check_filter gemini '{"finish":"SAFETY"}' $mode "gemini SAFETY $mode"
  check_filter gemini '{"block":"PROHIBITED_CONTENT"}' $mode "gemini promptFeedback block $mode"
done
last_record
assert_json .provider_finish_reason PROHIBITED_CONTENT "$REC"

pass
