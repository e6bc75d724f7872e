#!/usr/bin/env bash
# Run `lockgate check` for the GitHub Action (action.yml, step "check") and hand
# the results to GitHub:
#   - annotations on the lockfile lines (workflow commands on stdout, `github` format);
#   - the Markdown report appended to $GITHUB_STEP_SUMMARY (`markdown` format);
#   - a SARIF file for github/codeql-action/upload-sarif (`sarif` format);
#   - outputs in $GITHUB_OUTPUT: findings, errors, failing, exit-code, sarif-file,
#     json-file;
#   - the exit status of lockgate: 0 pass, 1 findings at or above fail-on, 2 error.
#
# Inputs (environment, set by action.yml from the action's inputs):
#   LOCKGATE_BIN     the lockgate binary (from install.sh); default `lockgate`
#   INPUT_PATHS      folders or files to check, separated by spaces or newlines
#                    (newline-separated when any newline is present, so a path may
#                    then hold spaces); default `.`
#   INPUT_ALLOWLIST  the allowlist file; default: lockgate's own (allowlist.toml)
#   INPUT_FAIL_ON    critical | error | warning | note | never; default error
#   INPUT_ONLINE     `true` to add --online
#   INPUT_FORMATS    comma-separated: github, markdown, sarif, json, human
#                    (default github,markdown,sarif)
#   INPUT_SARIF_FILE where to write SARIF; default $RUNNER_TEMP/lockgate.sarif
#   INPUT_ARGS       extra arguments for `lockgate check`, split on whitespace
#   GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP
# Runs in the current folder (the action runs it in $GITHUB_WORKSPACE).
set -uo pipefail

bin="${LOCKGATE_BIN:-lockgate}"
tmp="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
formats_input="${INPUT_FORMATS:-github,markdown,sarif}"
formats=",${formats_input// /},"
has() { [[ "$formats" == *",$1,"* ]]; }

for f in ${formats_input//,/ }; do
  case "$f" in
    github | markdown | sarif | json | human) ;;
    *)
      echo "::error title=lockgate::unknown format '$f' in the formats input: use github, markdown, sarif, json, human"
      exit 2
      ;;
  esac
done

args=(check)
paths_input="${INPUT_PATHS:-.}"
if [[ "$paths_input" == *$'\n'* ]]; then
  while IFS= read -r p; do
    p="${p#"${p%%[![:space:]]*}"}"
    p="${p%"${p##*[![:space:]]}"}"
    [ -n "$p" ] && args+=("$p")
  done <<<"$paths_input"
else
  read -r -a split <<<"$paths_input"
  args+=("${split[@]}")
fi
[ "${#args[@]}" -gt 1 ] || args+=(.)

[ -n "${INPUT_ALLOWLIST:-}" ] && args+=(--allowlist "$INPUT_ALLOWLIST")
args+=(--fail-on "${INPUT_FAIL_ON:-error}")
case "${INPUT_ONLINE:-false}" in
  true | TRUE | True | 1 | yes) args+=(--online) ;;
esac

# The main report goes to the log: annotations, or the human report.
if has github; then
  args+=(--format github)
else
  args+=(--format human --color always)
fi
json_file="$tmp/lockgate-findings.json"
summary_file="$tmp/lockgate-summary.md"
sarif_file="${INPUT_SARIF_FILE:-$tmp/lockgate.sarif}"
rm -f "$json_file" "$summary_file"
args+=(--report "json=$json_file")
has markdown && args+=(--report "markdown=$summary_file")
has sarif && args+=(--report "sarif=$sarif_file")
if has human && has github; then
  args+=(--report "human=$tmp/lockgate.txt")
fi
if [ -n "${INPUT_ARGS:-}" ]; then
  read -r -a extra <<<"$INPUT_ARGS"
  args+=("${extra[@]}")
fi

echo "lockgate: running $bin ${args[*]}"
"$bin" "${args[@]}"
code=$?

if has markdown && [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -f "$summary_file" ]; then
  cat "$summary_file" >>"$GITHUB_STEP_SUMMARY"
fi
if has human && has github && [ -f "$tmp/lockgate.txt" ]; then
  cat "$tmp/lockgate.txt"
fi

# Counts from the JSON report's summary (pretty-printed: one field a line).
count() {
  sed -n "s/^    \"$1\": \([0-9][0-9]*\),\{0,1\}\$/\1/p" "$json_file" 2>/dev/null | head -n1
}
findings=""
errors=""
failing=""
if [ -f "$json_file" ]; then
  findings="$(count findings)"
  critical="$(count critical)"
  error="$(count error)"
  failing="$(count failing)"
  errors=$((${critical:-0} + ${error:-0}))
fi
{
  echo "exit-code=$code"
  echo "findings=$findings"
  echo "errors=$errors"
  echo "failing=$failing"
  echo "json-file=$( [ -f "$json_file" ] && echo "$json_file")"
  echo "sarif-file=$( has sarif && [ -f "$sarif_file" ] && echo "$sarif_file")"
} >>"${GITHUB_OUTPUT:-/dev/null}"

case "$code" in
  0) echo "lockgate: passed (${findings:-0} findings below the fail level)" ;;
  1) echo "lockgate: failed: $failing finding(s) at or above fail-on=${INPUT_FAIL_ON:-error}" ;;
  *) echo "::error title=lockgate::lockgate could not complete the check (exit $code); see the log above" ;;
esac
exit "$code"
