# shellcheck shell=bash
# Extra helpers for the core e2e tests. Source after lib.sh:
#
#   source "$(dirname "$0")/lib.sh"
#   source "$(dirname "$0")/core_helpers.sh"
#
#   record_count              number of call records in $TMP/llmctl.db (0 when there is no file)
#   last_record               the newest record JSON -> $TMP/rec.json (use assert_json EXPR VAL "$REC")
#   write_local_config [FILE] a config file declaring [providers.local] (OpenAI-compatible,
#                             pointing at the fake, max_tokens_field = "max_tokens");
#                             sets LOCAL_CONFIG; key variable LOCAL_KEY
#   fake_req JQ               jq -r over the last request the fake received
#   assert_nothing_sent MSG   the fake got 0 protocol requests since the last fake_reset
#   assert_gt A B MSG         numeric A > B (works with decimals)

# `printf x | llm complete -` runs llm in a subshell unless lastpipe is on,
# and then LLM_RC/LLM_STDOUT of that run are lost.
shopt -s lastpipe

REC=$TMP/rec.json

record_count() {
  if [[ -f $TMP/llmctl.db ]]; then
    db_query "select count(*) from calls"
  else
    echo 0
  fi
}

last_record() {
  db_query "select record from calls order by id desc limit 1" >"$REC"
  [[ -s $REC ]] || fail "last_record: no record in the database"
}

write_local_config() {
  LOCAL_CONFIG=${1:-$TMP/local.toml}
  cat >"$LOCAL_CONFIG" <<CFG
[providers.local]
base_url = "$FAKE_URL/v1"
api_key_env = "LOCAL_KEY"
max_tokens_field = "max_tokens"
default_model = "llama3.2"
headers = ["X-Title: llmctl-e2e"]
CFG
}

fake_req() { fake_stats ".last_request | $1"; }

assert_nothing_sent() {
  assert_eq 0 "$(fake_stats .requests)" "${1:-nothing may be sent to the provider}"
}

assert_gt() {
  ASSERTIONS=$((ASSERTIONS + 1))
  if ! awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 > b + 0) }'; then
    fail "${3:-assert_gt}: expected $1 > $2"
  fi
}
