# fish completion for llmctl

# Model names from the price table, as -m takes them.
function __llmctl_models
    llmctl models 2>/dev/null | awk 'NR > 1 && NF > 2 && $1 != "built-in" { sub(/^[a-z]+\//, "", $1); print $1 }'
end

# Built-in providers plus the [providers.NAME] endpoints of the config file.
function __llmctl_providers
    printf '%s\n' openai anthropic gemini mock
    set -l cfg $LLMCTL_CONFIG
    if test -z "$cfg"
        set -l base $XDG_CONFIG_HOME
        test -z "$base"; and set base $HOME/.config
        set cfg $base/llmctl/config.toml
    end
    test -r $cfg; and sed -n 's/^[[:space:]]*\[providers\.\([A-Za-z0-9_-]*\)\].*/\1/p' $cfg
end

function __llmctl_conversations
    llmctl conversation list --json 2>/dev/null | jq -r '.[].name' 2>/dev/null
end

set -l commands complete config-check cost-report latency-stats logs cache limits models tokens eval conversation template audit replay help
complete -c llmctl -f
complete -c llmctl -n "not __fish_seen_subcommand_from $commands" -a "$commands"
complete -c llmctl -l config -r -F -d 'Config file'
complete -c llmctl -l log-format -x -a 'text json' -d 'Diagnostics format'
complete -c llmctl -s v -l verbose -d 'More diagnostics'
complete -c llmctl -s q -l quiet -d 'Only errors'
complete -c llmctl -l version -d 'Print the version'
complete -c llmctl -s h -l help -d 'Show help'

set -l c "__fish_seen_subcommand_from complete"
complete -c llmctl -n $c -s m -l model -x -a '(__llmctl_models)' -d 'Model, MODEL or PROVIDER:MODEL'
complete -c llmctl -n $c -s p -l provider -x -a '(__llmctl_providers)' -d 'Provider'
complete -c llmctl -n $c -s s -l system -x -d 'System prompt'
complete -c llmctl -n $c -l messages -r -F -d "JSON messages file ('-' = stdin)"
complete -c llmctl -n $c -s u -l user -x -d 'User id'
complete -c llmctl -n $c -l max-tokens -x -d 'Max output tokens'
complete -c llmctl -n $c -l temperature -x -d 'Sampling temperature'
complete -c llmctl -n $c -l timeout -x -d 'Per-attempt timeout (s)'
complete -c llmctl -n $c -l fallback -x -d 'Fallback PROVIDER:MODEL'
complete -c llmctl -n $c -l tag -x -d 'Tag the record KEY=VALUE'
complete -c llmctl -n $c -l stream -d 'Stream the answer'
complete -c llmctl -n $c -l no-stream -d 'Do not stream'
complete -c llmctl -n $c -l json -d 'Record plus text as JSON'
complete -c llmctl -n $c -l cache -x -a 'auto off refresh only' -d 'Cache mode'
complete -c llmctl -n $c -l dry-run -d 'Print request and estimate, send nothing'
complete -c llmctl -n $c -l allow-truncated -d 'Exit 0 on truncated answers'
complete -c llmctl -n $c -l data -r -F -d 'Untrusted document, spotlighted (- = stdin)'
complete -c llmctl -n $c -l schema -r -F -d 'JSON Schema the answer must match'
complete -c llmctl -n $c -l schema-retries -x -d 'Re-asks after a schema failure'
complete -c llmctl -n $c -l expect-json -d 'The answer must be JSON'
complete -c llmctl -n $c -l expect-regex -x -d 'The answer must match RE'
complete -c llmctl -n $c -l deny-regex -x -d 'The answer must not match RE'
complete -c llmctl -n $c -s C -l conversation -x -a '(__llmctl_conversations)' -d 'Continue the named conversation'
complete -c llmctl -n $c -l fit -d 'Drop the oldest --messages until the request fits'
complete -c llmctl -n $c -s t -l template -x -a '(llmctl template list 2>/dev/null)' -d 'Prompt template'
complete -c llmctl -n $c -s V -l var -x -d 'Template variable KEY=VALUE'

set -l cc "__fish_seen_subcommand_from config-check"
complete -c llmctl -n $cc -l json -d 'Print as JSON'
complete -c llmctl -n $cc -l ping -d 'List models at each provider'

set -l cr "__fish_seen_subcommand_from cost-report"
complete -c llmctl -n $cr -l source -x -a 'local redis' -d 'Records from this machine or the fleet (Redis)'
complete -c llmctl -n $cr -l since -x -d 'Start: duration or ISO date'
complete -c llmctl -n $cr -l until -x -d 'End: duration or ISO date'
complete -c llmctl -n $cr -l by -x -a 'user model provider day hour tag:' -d 'Group by'
complete -c llmctl -n $cr -l tag -x -d 'Only records tagged KEY=VALUE'
complete -c llmctl -n $cr -l user -x -d 'Only this user'
complete -c llmctl -n $cr -l model -x -d 'Only this model'
complete -c llmctl -n $cr -l provider -x -d 'Only this provider'
complete -c llmctl -n $cr -l format -x -a 'table json csv' -d 'Output format'
complete -c llmctl -n $cr -l input -r -F -d 'JSONL record files'
complete -c llmctl -n $cr -l strict -d 'Malformed input lines are fatal'

set -l ls "__fish_seen_subcommand_from latency-stats"
complete -c llmctl -n $ls -l source -x -a 'local redis' -d 'Records from this machine or the fleet (Redis)'
complete -c llmctl -n $ls -l since -x -d 'Start: duration or ISO date'
complete -c llmctl -n $ls -l last -x -d 'Only the last N records'
complete -c llmctl -n $ls -l by -x -a 'provider model' -d 'Group by'
complete -c llmctl -n $ls -l threshold-ms -x -d 'p95 alert threshold'
complete -c llmctl -n $ls -l min-calls -x -d 'Fewer calls than N is a failed check'
complete -c llmctl -n $ls -l format -x -a 'table json prometheus' -d 'Output format'
complete -c llmctl -n $ls -l include-cache-hits -d 'Count cache hits'
complete -c llmctl -n $ls -l histogram -d 'Draw the latency distribution'
complete -c llmctl -n $ls -l input -r -F -d 'JSONL record files'
complete -c llmctl -n $ls -l strict -d 'Malformed input lines are fatal'

set -l lg "__fish_seen_subcommand_from logs"
complete -c llmctl -n $lg -l source -x -a 'local redis' -d 'Records from this machine or the fleet (Redis)'
complete -c llmctl -n $lg -a prune -d 'Delete old records'
complete -c llmctl -n $lg -l since -x -d 'Start: duration or ISO date'
complete -c llmctl -n $lg -l until -x -d 'End: duration or ISO date'
complete -c llmctl -n $lg -l user -x -d 'Only this user'
complete -c llmctl -n $lg -l model -x -d 'Only this model'
complete -c llmctl -n $lg -s n -l lines -x -d 'Only the last N records'
complete -c llmctl -n $lg -l request-id -x -d 'One record'
complete -c llmctl -n $lg -s f -l follow -d 'Print new records as they arrive'
complete -c llmctl -n $lg -l older-than -x -d 'prune: age such as 90d'

set -l ca "__fish_seen_subcommand_from cache"
complete -c llmctl -n $ca -a 'stats clear prune export import' -d 'Cache action'
complete -c llmctl -n $ca -l json -d 'stats as JSON'
complete -c llmctl -n $ca -s o -l output -r -F -d 'export file'

set -l li "__fish_seen_subcommand_from limits"
complete -c llmctl -n $li -s u -l user -x -d 'User id'
complete -c llmctl -n $li -l json -d 'Print as JSON'

complete -c llmctl -n "__fish_seen_subcommand_from models" -l json -d 'Print as JSON'

set -l tk "__fish_seen_subcommand_from tokens"
complete -c llmctl -n $tk -F
complete -c llmctl -n $tk -s m -l model -x -d 'Model, MODEL or PROVIDER:MODEL'
complete -c llmctl -n $tk -l json -d 'Print as JSON'

set -l ev "__fish_seen_subcommand_from eval"
complete -c llmctl -n $ev -k -a '(__fish_complete_suffix .jsonl)' -d 'Suite'
complete -c llmctl -n $ev -s c -l concurrency -x -d 'Cases in flight at once'
complete -c llmctl -n $ev -l max-cost -x -d 'Run budget in USD'
complete -c llmctl -n $ev -l cache -x -a 'auto off refresh only' -d 'Cache mode'
complete -c llmctl -n $ev -l filter -x -d 'Only case ids matching REGEX'
complete -c llmctl -n $ev -l repeat -x -d 'Run every case N times'
complete -c llmctl -n $ev -l junit -r -F -d 'JUnit XML report'
complete -c llmctl -n $ev -l output -r -F -d 'Per-case results as JSONL'
complete -c llmctl -n $ev -l run-id -x -d 'Id of this run'
complete -c llmctl -n $ev -l compare -x -d 'Compare two runs: RUN_A RUN_B'
complete -c llmctl -n $ev -l json -d 'Comparison as JSON'
complete -c llmctl -n $ev -s m -l model -x -a '(__llmctl_models)' -d 'Default model'
complete -c llmctl -n $ev -s p -l provider -x -a '(__llmctl_providers)' -d 'Default provider'
complete -c llmctl -n $ev -s u -l user -x -d 'User id'
complete -c llmctl -n $ev -l max-tokens -x -d 'Default max output tokens'
complete -c llmctl -n $ev -l temperature -x -d 'Default temperature'
complete -c llmctl -n $ev -l timeout -x -d 'Per-attempt timeout (s)'
complete -c llmctl -n $ev -l fallback -x -d 'Fallback PROVIDER:MODEL'
complete -c llmctl -n $ev -l tag -x -d 'Tag every record KEY=VALUE'
complete -c llmctl -n $ev -l models -x -d 'Run every case on each of these models'
complete -c llmctl -n $ev -l min-pass-rate -x -d 'Least fraction of passing case runs'
complete -c llmctl -n $ev -l format -x -a 'table json' -d 'Summary format'

set -l cv "__fish_seen_subcommand_from conversation"
complete -c llmctl -n "$cv; and not __fish_seen_subcommand_from list show rm" -a 'list show rm' -d 'Conversation action'
complete -c llmctl -n "$cv; and __fish_seen_subcommand_from show rm" -a '(__llmctl_conversations)' -d 'Conversation'
complete -c llmctl -n $cv -s u -l user -x -d 'Whose conversations'
complete -c llmctl -n $cv -l json -d 'Print JSON'

set -l tp "__fish_seen_subcommand_from template"
complete -c llmctl -n "$tp; and not __fish_seen_subcommand_from list show" -a 'list show' -d 'Template action'
complete -c llmctl -n "$tp; and __fish_seen_subcommand_from show" -a '(llmctl template list 2>/dev/null)' -d 'Template'
complete -c llmctl -n $tp -l json -d 'Print JSON'

complete -c llmctl -n "__fish_seen_subcommand_from audit; and not __fish_seen_subcommand_from show" -a show -d 'Decrypt one entry'

set -l rp "__fish_seen_subcommand_from replay"
complete -c llmctl -n $rp -s m -l model -x -a '(__llmctl_models)' -d 'Another model'
complete -c llmctl -n $rp -s p -l provider -x -a '(__llmctl_providers)' -d 'Another provider'
complete -c llmctl -n $rp -l diff -d 'Unified diff of the old and new answers'

complete -c llmctl -n "__fish_seen_subcommand_from help" -a "$commands" -d 'Command'
