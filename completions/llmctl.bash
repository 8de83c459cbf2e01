# bash completion for llmctl

# Model names from the price table (`llmctl models`), without the
# "gemini/" style key prefix: -m takes them as they are.
_llmctl_models() {
  llmctl models 2>/dev/null | awk 'NR > 1 && NF > 2 && $1 != "built-in" { sub(/^[a-z]+\//, "", $1); print $1 }'
}

# Built-in providers plus the [providers.NAME] endpoints of the config file.
_llmctl_providers() {
  local cfg=${LLMCTL_CONFIG:-${XDG_CONFIG_HOME:-$HOME/.config}/llmctl/config.toml} i
  for ((i = 1; i < ${#words[@]}; i++)); do
    [[ ${words[i]} == --config ]] && cfg=${words[i + 1]}
  done
  echo openai anthropic gemini mock
  [[ -r $cfg ]] && sed -n 's/^[[:space:]]*\[providers\.\([A-Za-z0-9_-]*\)\].*/\1/p' "$cfg"
}

_llmctl() {
  local cur prev words cword
  _init_completion 2>/dev/null || {
    cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}
    words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD
  }
  local commands="complete config-check cost-report latency-stats logs cache limits models tokens eval conversation template audit replay help"
  local global="--config --log-format -v --verbose -q --quiet --version -h"
  local cmd="" sub="" i
  for ((i = 1; i < cword; i++)); do
    case ${words[i]} in
      --config|--log-format) ((i++)) ;;
      -*) ;;
      *) if [[ -z $cmd ]]; then cmd=${words[i]}; elif [[ -z $sub ]]; then sub=${words[i]}; fi ;;
    esac
  done
  case $prev in
    --config|--messages|--input|-o|--output|--junit|--data|--schema) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --log-format) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
    -p|--provider)
      if [[ $cmd == complete || $cmd == eval || $cmd == replay ]]; then COMPREPLY=($(compgen -W "$(_llmctl_providers)" -- "$cur")); return; fi ;;
    -t|--template)
      if [[ $cmd == complete ]]; then COMPREPLY=($(compgen -W "$(llmctl template list 2>/dev/null)" -- "$cur")); return; fi ;;
    -C|--conversation)
      if [[ $cmd == complete ]]; then COMPREPLY=($(compgen -W "$(llmctl conversation list --json 2>/dev/null | jq -r '.[].name' 2>/dev/null)" -- "$cur")); return; fi ;;
    -m|--model)
      if [[ $cmd == complete || $cmd == eval || $cmd == replay ]]; then COMPREPLY=($(compgen -W "$(_llmctl_models)" -- "$cur")); return; fi ;;
    --cache) COMPREPLY=($(compgen -W "auto off refresh only" -- "$cur")); return ;;
    --source) COMPREPLY=($(compgen -W "local redis" -- "$cur")); return ;;
    --by) COMPREPLY=($(compgen -W "user model provider day hour tag:" -- "$cur")); return ;;
    --format)
      if [[ $cmd == latency-stats ]]; then COMPREPLY=($(compgen -W "table json prometheus" -- "$cur"))
      elif [[ $cmd == eval ]]; then COMPREPLY=($(compgen -W "table json" -- "$cur"))
      else COMPREPLY=($(compgen -W "table json csv" -- "$cur")); fi
      return ;;
  esac
  local opts
  case $cmd in
    "") opts="$commands $global" ;;
    complete) opts="-m --model -p --provider -s --system --messages -u --user --max-tokens --temperature --timeout --fallback --tag --stream --no-stream --json --cache --dry-run --allow-truncated --data --schema --schema-retries --expect-json --expect-regex --deny-regex -C --conversation --fit -t --template -V --var" ;;
    config-check) opts="--json --ping" ;;
    cost-report) opts="--since --until --by --tag -u --user -m --model -p --provider --format --input --strict --source" ;;
    latency-stats) opts="--since --last --by --threshold-ms --min-calls --format --include-cache-hits --histogram --input --strict --source" ;;
    logs)
      if [[ $sub == prune ]]; then opts="--older-than"
      else opts="prune --since --until -u --user -m --model -n --lines --request-id -f --follow --source"; fi ;;
    cache)
      case $sub in
        stats) opts="--json" ;;
        export) opts="-o --output" ;;
        import) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        "") opts="stats clear prune export import" ;;
      esac ;;
    limits) opts="-u --user --json" ;;
    models) opts="--json" ;;
    tokens)
      case $prev in -m|--model) return ;; esac
      if [[ $cur != -* ]]; then COMPREPLY=($(compgen -f -- "$cur")); return; fi
      opts="-m --model --json" ;;
    conversation)
      case $sub in
        list) opts="-u --user --json" ;;
        show|rm) opts="-u --user --json" ;;
        "") opts="list show rm" ;;
      esac ;;
    template)
      case $sub in
        list) opts="--json" ;;
        show) opts="--json $(llmctl template list 2>/dev/null)" ;;
        "") opts="list show" ;;
      esac ;;
    audit) [[ -z $sub ]] && opts="show" ;;
    replay) opts="-m --model -p --provider --diff" ;;
    help) opts="$commands" ;;
    eval)
      if [[ $cur != -* ]]; then
        # Suites are JSONL files; directories lead to them.
        COMPREPLY=($(compgen -f -X '!*.jsonl' -- "$cur") $(compgen -d -- "$cur"))
        return
      fi
      opts="-c --concurrency --max-cost --cache --filter --repeat --junit --output --run-id --compare --json --tag --models --min-pass-rate --format -m --model -p --provider -u --user --max-tokens --temperature --timeout --fallback" ;;
  esac
  COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
}
complete -F _llmctl llmctl
