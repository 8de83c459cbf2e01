#!/usr/bin/env bash
# shellcheck disable=SC2034  # LLM_ENV and LLM_UNSET are read by lib.sh
# Templates: -t NAME fills {{input}} and -V variables into the system
# message and the prompt, applies the template's model, temperature and
# max_tokens (flags override them); every template mistake is exit 2 naming
# it, with nothing sent; template list/show.
source "$(dirname "$0")/lib.sh"

start_fake --quiet
LLM_ENV=(LLM_CACHE=off LLM_MAX_RETRIES=0 LLM_RATE_LIMIT_TOKENS=0)
req() { fake_stats ".last_request.body | $1"; }
TPL=$TMP/config/llmctl/templates
mkdir -p "$TPL"

cat >"$TPL/review.toml" <<'TOML'
system = "You review {{lang}} code for {{team}}."
prompt = """Review this diff:
{{input}}"""
model = "openai:gpt-4o"
temperature = 0.2
max_tokens = 321
TOML
cat >"$TPL/joke.toml" <<'TOML'
prompt = "Tell a joke about {{ topic }}."
TOML

printf 'a diff\n' | llm complete -t review -V lang=C++ -V team=infra
assert_exit 0 "template with stdin input"
assert_eq '"You review C++ code for infra."' "$(req '.messages[0].content | tojson')" "system filled"
assert_eq '"Review this diff:\na diff"' "$(req '.messages[1].content | tojson')" "{{input}} filled from stdin"
assert_eq gpt-4o "$(req .model)" "the template's model"
assert_eq 321 "$(req '.max_completion_tokens // .max_tokens')" "the template's max_tokens"
assert_eq 0.2 "$(req .temperature)" "the template's temperature"

# A template's schema (a path beside the template) is requested natively
# and checked like --schema: the fake's plain-text answer fails it, so after
# the re-ask the answer is withheld.
printf '{"type": "object", "required": ["name"]}' >"$TPL/person.json"
cat >"$TPL/person.toml" <<'TOML'
prompt = "Describe {{who}}."
schema = "person.json"
TOML
llm complete -t person -V who=Ada -m openai:gpt-4o-mini </dev/null
assert_exit 10 "an answer failing the template's schema is withheld"
assert_contains "$(req '.response_format | tojson')" '"required":["name"]' "the template's schema is sent"
rm "$TPL/person.toml" "$TPL/person.json"

llm complete -t review -V lang=Go -V team=web -m openai:gpt-4o-mini --max-tokens 99 --temperature 1 -s "Own system." "x" </dev/null
assert_exit 0 "flags override the template"
assert_eq gpt-4o-mini "$(req .model)"
assert_eq 99 "$(req '.max_completion_tokens // .max_tokens')"
assert_eq 1 "$(req .temperature)"
assert_eq '"Own system."' "$(req '.messages[0].content | tojson')" "-s overrides the template's system"

llm_env LLM_MAX_TOKENS=77 -- complete -t review -V lang=Go -V team=web "x" </dev/null
assert_eq 321 "$(req '.max_completion_tokens // .max_tokens')" "the template overrides the environment"

llm complete -t joke -V topic=cats </dev/null
assert_exit 0 "a template whose prompt needs no input reads no stdin"
assert_eq '"Tell a joke about cats."' "$(req '.messages[0].content | tojson')"
llm complete -t joke -V topic=cats "keep it short" </dev/null
assert_eq '"Tell a joke about cats.\n\nkeep it short"' "$(req '.messages[0].content | tojson')" "input without {{input}} is appended"

# ---------------------------------------------------------------- every template error: exit 2, nothing sent
fake_reset
expect_error() {
  local needle=$1
  shift
  llm complete "$@" </dev/null
  assert_exit 2 "$needle"
  assert_contains "$LLM_STDERR" "$needle"
  assert_eq "" "$LLM_STDOUT" "nothing on stdout"
}
expect_error 'variable "team" has no value; pass -V team=VALUE' -t review -V lang=C x
expect_error 'has no variable "tema"' -t review -V lang=C -V team=a -V tema=b x
expect_error 'template "nope" not found' -t nope x
expect_error 'did you mean review?' -t reviw x
expect_error 'expected KEY=VALUE' -t joke -V topic x
expect_error '-V topic is given twice' -t joke -V topic=a -V topic=b
expect_error 'it needs -t NAME' -V topic=a x
expect_error 'fills {{input}}, but none was given' -t review -V lang=C -V team=a ""
expect_error 'is invalid' -t ../review x
printf 'promt = "x"\n' >"$TPL/typo.toml"
expect_error 'unknown key "promt"; did you mean prompt?' -t typo x
printf 'prompt = "x"\ntemperature = 5\n' >"$TPL/hot.toml"
expect_error 'temperature must be a number from 0 to 2' -t hot
printf 'prompt = "x\n' >"$TPL/broken.toml"
expect_error 'template broken' -t broken
printf 'prompt = "x"\nmax_tokens = "many"\n' >"$TPL/many.toml"
expect_error 'max_tokens must be an integer' -t many
assert_eq 0 "$(fake_stats .requests)" "no template error sends anything"

# ---------------------------------------------------------------- template list / show
rm "$TPL/typo.toml" "$TPL/hot.toml" "$TPL/broken.toml" "$TPL/many.toml"
llm template list
assert_exit 0
assert_eq $'joke\nreview' "$LLM_STDOUT"
llm template list --json
assert_json 'map(.name) | join(",")' "joke,review"
llm template show review --json
assert_exit 0
assert_json '.variables | join(",")' "lang,team"
assert_json .takes_input true
assert_json .max_tokens 321
llm template show joke
assert_contains "$LLM_STDOUT" "Tell a joke about {{ topic }}."
llm template show nope
assert_exit 2

pass
