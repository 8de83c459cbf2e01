#!/usr/bin/env bash
# shellcheck disable=SC2034  # COMP_* variables are read by the completion function
# Help and completion as a newcomer meets them: `llmctl` alone prints the
# usage (exit 2), `llmctl help COMMAND` equals `llmctl COMMAND --help`, no
# CLI11 artefacts in help, typos get "did you mean", and bash completion
# offers suite files, model names and declared providers.
source "$(dirname "$0")/lib.sh"

# ---------------------------------------------------------------- help
llm
assert_exit 2 "llmctl alone"
assert_contains "$LLM_STDERR" "complete"
assert_contains "$LLM_STDERR" "no command given"
llm help
assert_exit 0
for cmd in complete config-check cost-report latency-stats logs cache limits models eval; do
  assert_contains "$LLM_STDOUT" "$cmd" "llmctl help lists $cmd"
done
for cmd in complete logs eval latency-stats; do
  llm "$cmd" --help
  cp "$LLM_OUT" "$TMP/direct.txt"
  llm help "$cmd"
  assert_exit 0
  cmp -s "$TMP/direct.txt" "$LLM_OUT" || fail "llmctl help $cmd differs from llmctl $cmd --help"
  ASSERTIONS=$((ASSERTIONS + 1))
done
llm help nosuch
assert_exit 2
llm help compleet
assert_contains "$LLM_STDERR" "did you mean complete?"
llm compleet "hi"
assert_exit 2 "a mistyped command"
assert_contains "$LLM_STDERR" "did you mean complete?"
llm complete --help
assert_not_contains "$LLM_STDOUT" "{false}" "no CLI11 default artefacts"
assert_not_contains "$LLM_STDOUT" "!--no-stream"
assert_contains "$LLM_STDOUT" "--no-stream"
llm logs --help
assert_contains "$LLM_STDOUT" "prune" "logs --help shows its prune subcommand"

# ---------------------------------------------------------------- did you mean
mkdir -p "$TMP/config/llmctl"
printf 'LLM_MAX_TOKEN = 5\n' >"$TMP/config/llmctl/config.toml"
llm complete -p mock "hi" </dev/null
assert_exit 3 "an unknown config key"
assert_contains "$LLM_STDERR" "did you mean LLM_MAX_TOKENS?"
printf '[providers.local]\nbase_ulr = "http://localhost:1/v1"\n' >"$TMP/config/llmctl/config.toml"
llm complete -p mock "hi" </dev/null
assert_exit 3
assert_contains "$LLM_STDERR" "did you mean base_url?"
rm "$TMP/config/llmctl/config.toml"
llm_env LLM_TEMPRATURE=0 -- complete -p mock "hi" </dev/null
assert_exit 0 "an unknown variable is only a warning"
assert_contains "$LLM_STDERR" "LLM_TEMPRATURE is not a variable llmctl reads; did you mean LLM_TEMPERATURE?"

# ---------------------------------------------------------------- bash completion
mkdir -p "$TMP/bin" "$TMP/work"
ln -s "$LLMCTL_BIN" "$TMP/bin/llmctl"
touch "$TMP/work/suite.jsonl" "$TMP/work/notes.txt"
printf '[providers.ollama]\nbase_url = "http://localhost:11434/v1"\n' >"$TMP/config/llmctl/config.toml"
complete_words() { # WORD... (the last one is the word being completed)
  (
    # Completion functions run in an interactive shell, without errexit.
    set +eu
    cd "$TMP/work" || exit 1
    export PATH="$TMP/bin:$PATH" HOME="$TMP" XDG_CONFIG_HOME="$TMP/config"
    # shellcheck source=/dev/null
    source "$LLMCTL_SOURCE_DIR/completions/llmctl.bash"
    COMP_WORDS=(llmctl "$@")
    COMP_CWORD=$#
    _llmctl
    printf '%s\n' "${COMPREPLY[@]}"
  )
}
out=$(complete_words eval "")
assert_contains "$out" "suite.jsonl" "eval completes suite files"
assert_not_contains "$out" "notes.txt" "and only suite files"
out=$(complete_words complete -m claude-h)
assert_contains "$out" "claude-haiku-4-5" "-m completes model names"
out=$(complete_words complete -m gemini-2.5-fl)
assert_contains "$out" "gemini-2.5-flash" "without the gemini/ key prefix"
out=$(complete_words complete -p "")
assert_contains "$out" "ollama" "-p completes declared providers"
assert_contains "$out" "anthropic"
out=$(complete_words --)
assert_eq 1 "$(grep -cx -- --help <<<"$out")" "--help is offered once"
out=$(complete_words latency-stats --min)
assert_contains "$out" "--min-calls"

pass
