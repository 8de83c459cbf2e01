# bash completion for llmctl
_llmctl() {
  local cur prev words cword
  _init_completion 2>/dev/null || {
    cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}
    words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD
  }
  local commands="complete config-check cost-report latency-stats logs cache limits models tokens eval help"
  local global="--config --log-format -v --verbose -q --quiet --version --help -h"
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
    -p|--provider) COMPREPLY=($(compgen -W "openai anthropic gemini mock" -- "$cur")); return ;;
    --cache) COMPREPLY=($(compgen -W "auto off refresh only" -- "$cur")); return ;;
    --by) COMPREPLY=($(compgen -W "user model provider day hour" -- "$cur")); return ;;
    --format)
      if [[ $cmd == latency-stats ]]; then COMPREPLY=($(compgen -W "table json prometheus" -- "$cur"))
      else COMPREPLY=($(compgen -W "table json csv" -- "$cur")); fi
      return ;;
  esac
  local opts
  case $cmd in
    "") opts="$commands $global" ;;
    complete) opts="-m --model -p --provider -s --system --messages -u --user --max-tokens --temperature --timeout --fallback --stream --no-stream --json --cache --dry-run --allow-truncated --data --schema --schema-retries --expect-json --expect-regex --deny-regex" ;;
    config-check) opts="--json --ping" ;;
    cost-report) opts="--since --until --by -u --user -m --model -p --provider --format --input --strict" ;;
    latency-stats) opts="--since --last --by --threshold-ms --format --include-cache-hits --histogram --input --strict" ;;
    logs)
      if [[ $sub == prune ]]; then opts="--older-than"
      else opts="prune --since --until -u --user -m --model -n --lines --request-id -f --follow"; fi ;;
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
    eval) opts="-c --concurrency --max-cost --cache --filter --repeat --junit --output --run-id --compare --json -m --model -p --provider -u --user --max-tokens --temperature --timeout --fallback" ;;
  esac
  COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
}
complete -F _llmctl llmctl
