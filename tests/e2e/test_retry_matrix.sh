#!/usr/bin/env bash
# Retry classification over HTTP error statuses, per provider (README step
# 5; each provider's documented error statuses): for each of openai, anthropic, gemini × {429 with a
# wait hint, 429 without one, 429 quota exhausted, 500, 502 with an HTML body,
# 503, 529}: how many requests reach the fake, the waits between them, the
# exit code and the record's attempts / error_type / fallback_used.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=resilience_lib.sh
source "$(dirname "$0")/resilience_lib.sh"

start_fake
res_env

call() {  # call PROVIDER: one non-streamed call; record in $TMP/rec.json
  : >"$TMP/calls.jsonl"
  llm complete -p "$1" --json "hello resilience" </dev/null
  last_record
}

HTML_502='<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx/1.25.3</center></body></html>'

for p in openai anthropic gemini; do
  m=$(match_of "$p")

  # ------------------------------------------------ 429 with a 1 s hint
  # OpenAI/Anthropic: Retry-After header; Gemini: RetryInfo.retryDelay "1s"
  # in the body (the fake sends no header for Gemini).
  fake_reset
  fake_script "[{\"match\":\"$m\",\"status\":429,\"retry_after\":1}]"
  call "$p"
  assert_exit 0 "$p 429+hint then success exits 0"
  assert_eq 2 "$(fake_requests)" "$p 429+hint: two requests"
  assert_between 950 1800 "$(fake_gaps)" "$p 429+hint: the 1 s hint is honoured (ms between requests)"
  assert_eq "429:rate_limited 200:null" "$(attempts_of)" "$p 429+hint attempts"
  assert_json .error_type null "$TMP/rec.json"
  assert_json .fallback_used false "$TMP/rec.json"
  assert_json .provider "$p" "$TMP/rec.json"
  assert_json .text "Hello from fake $p."

  # ------------------------------------------------ 429 without a hint:
  # exponential backoff (0.05 s base). Gemini's default 429 carries a
  # per-minute QuotaFailure, which is worth retrying.
  fake_reset
  fake_script "[{\"match\":\"$m\",\"status\":429}]"
  call "$p"
  assert_exit 0 "$p 429 (no hint) then success exits 0"
  assert_eq 2 "$(fake_requests)" "$p 429 (no hint): retried"
  assert_between 30 700 "$(fake_gaps)" "$p 429 (no hint): backoff is base × jitter, not a long wait"
  assert_eq "429:rate_limited 200:null" "$(attempts_of)" "$p 429 (no hint) attempts"

  # ------------------------------------------------ 429 quota exhausted: no retry
  fake_reset
  case $p in
    openai)
      fake_script "[{\"match\":\"$m\",\"status\":429,\"error\":{\"type\":\"insufficient_quota\",\"code\":\"insufficient_quota\",\"message\":\"You exceeded your current quota, please check your plan and billing details.\"}}]" ;;
    anthropic)
      fake_script "[{\"match\":\"$m\",\"status\":429,\"json\":{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"You have reached your specified workspace API usage limits.\",\"details\":{\"error_code\":\"enforced_spend_limit_reached\"}},\"request_id\":\"req_spend\"}}]" ;;
    gemini)
      # A per-day quota does not refill by waiting, even with a RetryInfo.
      fake_script "[{\"match\":\"$m\",\"status\":429,\"json\":{\"error\":{\"code\":429,\"message\":\"Quota exceeded for metric: generate_requests_per_model_per_day\",\"status\":\"RESOURCE_EXHAUSTED\",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.QuotaFailure\",\"violations\":[{\"quotaMetric\":\"generativelanguage.googleapis.com/generate_requests_per_model_per_day\",\"quotaId\":\"GenerateRequestsPerDayPerProjectPerModel\"}]},{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"1s\"}]}}}]" ;;
  esac
  start=$(now_ms)
  call "$p"
  elapsed=$(($(now_ms) - start))
  assert_exit 8 "$p quota 429 exits 8"
  assert_eq 1 "$(fake_requests)" "$p quota 429: not retried"
  assert_eq "429:rate_limited" "$(attempts_of)" "$p quota 429 attempts"
  assert_json .error_type rate_limited "$TMP/rec.json"
  assert_json .fallback_used false "$TMP/rec.json"
  assert_between 0 900 "$elapsed" "$p quota 429: no wait (ms)"

  # ------------------------------------------------ 500 × 3: all attempts fail
  fake_reset
  fake_script "[{\"match\":\"$m\",\"status\":500,\"times\":3}]"
  call "$p"
  assert_exit 8 "$p 500×3 exits 8"
  assert_eq 3 "$(fake_requests)" "$p 500×3: 1 + LLM_MAX_RETRIES requests"
  assert_eq "500:provider_error 500:provider_error 500:provider_error" "$(attempts_of)" "$p 500×3 attempts"
  assert_json .error_type provider_error "$TMP/rec.json"
  assert_json .finish_reason error "$TMP/rec.json"
  assert_json '.error != null' true "$TMP/rec.json"
  read -r g1 g2 <<<"$(fake_gaps)"
  assert_between 35 700 "$g1" "$p 500: first backoff ≈ 0.05 s × jitter"
  assert_between 70 800 "$g2" "$p 500: second backoff ≈ 0.1 s × jitter (doubles)"
  assert_contains "$LLM_STDERR" "HTTP 500" "$p 500: stderr names the status"

  # ------------------------------------------------ 502 with an HTML body
  fake_reset
  body=$(jq -cn --arg b "$HTML_502" '$b')
  fake_script "[{\"match\":\"$m\",\"status\":502,\"body\":$body,\"content_type\":\"text/html\",\"times\":3}]"
  call "$p"
  assert_exit 8 "$p 502 HTML exits 8"
  assert_eq 3 "$(fake_requests)" "$p 502 HTML: retried"
  assert_eq "502:provider_error 502:provider_error 502:provider_error" "$(attempts_of)" "$p 502 attempts"
  assert_contains "$(json_get .error "$TMP/rec.json")" "non-JSON body (text/html)" "$p 502: error says what came back"
  assert_contains "$(json_get .error "$TMP/rec.json")" "502 Bad Gateway" "$p 502: readable excerpt of the HTML"
  assert_not_contains "$(json_get .error "$TMP/rec.json")" "<html>" "$p 502: tags stripped"
  assert_not_contains "$LLM_STDERR" "<center>" "$p 502: no raw HTML on stderr"

  # ------------------------------------------------ 503 then success
  fake_reset
  fake_script "[{\"match\":\"$m\",\"status\":503}]"
  call "$p"
  assert_exit 0 "$p 503 then success exits 0"
  assert_eq 2 "$(fake_requests)" "$p 503: retried once"
  assert_eq "503:provider_error 200:null" "$(attempts_of)" "$p 503 attempts"
  assert_json .fallback_used false "$TMP/rec.json"

  # ------------------------------------------------ 529 (Anthropic overloaded_error) then success
  fake_reset
  if [[ $p == anthropic ]]; then
    fake_script "[{\"match\":\"$m\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"},\"times\":2}]"
  else
    fake_script "[{\"match\":\"$m\",\"status\":529,\"times\":2}]"
  fi
  call "$p"
  assert_exit 0 "$p 529×2 then success exits 0"
  assert_eq 3 "$(fake_requests)" "$p 529: retried twice"
  assert_eq "529:provider_error 529:provider_error 200:null" "$(attempts_of)" "$p 529 attempts"
done

# ------------------------------------------------ other wait hints (OpenAI/Anthropic headers)
for p in openai anthropic; do
  m=$(match_of "$p")
  # retry-after-ms wins over Retry-After.
  fake_reset
  fake_script "[{\"match\":\"$m\",\"status\":429,\"retry_after_ms\":400,\"retry_after\":5}]"
  call "$p"
  assert_exit 0 "$p retry-after-ms then success"
  assert_between 380 1100 "$(fake_gaps)" "$p retry-after-ms: 400 ms honoured (and preferred to Retry-After)"

  # Retry-After as an HTTP date 2 s ahead: a wait of 1–2 s (whole seconds).
  fake_reset
  when=$(date -u -d '@'$(($(date +%s) + 2)) '+%a, %d %b %Y %H:%M:%S GMT')
  fake_script "[{\"match\":\"$m\",\"status\":503,\"headers\":{\"retry-after\":\"$when\"}}]"
  call "$p"
  assert_exit 0 "$p Retry-After HTTP date then success"
  assert_between 900 2600 "$(fake_gaps)" "$p Retry-After as an HTTP date is honoured"
done

pass
