#!/usr/bin/env bash
# Run `lockgate check` for the GitHub Action (action.yml, step "check") and hand
# the results to GitHub:
#   - annotations on the lockfile lines (workflow commands on stdout, `github` format);
#   - the Markdown report appended to $GITHUB_STEP_SUMMARY (`markdown` format); on a
#     pull request (baseline mode) the change report: what the change adds, removes
#     and upgrades, with each new package's findings;
#   - a SARIF file for github/codeql-action/upload-sarif (`sarif` format);
#   - a Markdown comment body for an existing comment action (baseline mode);
#   - outputs in $GITHUB_OUTPUT: findings, errors, failing, exit-code, sarif-file,
#     json-file, comment-file, baseline, unchanged. They are written on every
#     exit, early failures included, and the files they name are removed first, so
#     an output never points at an earlier run's file;
#   - the exit status of lockgate: 0 pass, 1 findings at or above fail-on, 2 error.
# A failure before lockgate could report (a wrong input, a malformed allowlist, a
# baseline git does not have) is put in the job summary and in an error annotation
# with lockgate's own message.
#
# Inputs (environment, set by action.yml from the action's inputs):
#   LOCKGATE_BIN     the lockgate binary (from install.sh); default `lockgate`
#   INPUT_PATHS      folders or files to check, separated by spaces or newlines
#                    (newline-separated when any newline is present, so a path may
#                    then hold spaces); default `.`
#   INPUT_ALLOWLIST  the allowlist file; default: lockgate's own (allowlist.toml)
#   INPUT_FAIL_ON    critical | error | warning | note | never; default error
#   INPUT_ONLINE     `true` to add --online (`false` or empty: offline)
#   INPUT_FORMATS    comma-separated: github, markdown, sarif, json, human
#                    (default github,markdown,sarif)
#   INPUT_SARIF_FILE where to write SARIF; default $RUNNER_TEMP/lockgate.sarif
#   INPUT_ARGS       extra arguments for `lockgate check`, split on whitespace
#   INPUT_BASELINE   `auto` (default): on pull_request / pull_request_target events,
#                    check against the base commit (LOCKGATE_BASE_SHA) and report
#                    only what the change introduces; `none`: always the whole
#                    tree; anything else: a git ref to compare with
#   LOCKGATE_BASE_SHA  the pull request's base SHA (github.event.pull_request.base.sha)
#   GITHUB_EVENT_NAME, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP
# Runs in the current folder (the action runs it in $GITHUB_WORKSPACE).
set -uo pipefail

bin="${LOCKGATE_BIN:-lockgate}"
tmp="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
formats_input="${INPUT_FORMATS:-github,markdown,sarif}"
formats=",${formats_input// /},"
has() { [[ "$formats" == *",$1,"* ]]; }

json_file="$tmp/lockgate-findings.json"
summary_file="$tmp/lockgate-summary.md"
comment_file="$tmp/lockgate-comment.md"
stderr_file="$tmp/lockgate-stderr.txt"
human_file="$tmp/lockgate.txt"
sarif_file="${INPUT_SARIF_FILE:-$tmp/lockgate.sarif}"
# Never stale: nothing an output names survives from an earlier run.
rm -f "$json_file" "$summary_file" "$comment_file" "$stderr_file" "$human_file" "$sarif_file"

code=2
findings=""
errors=""
failing=""
unchanged=""
base=""

write_outputs() {
  {
    echo "exit-code=$code"
    echo "findings=$findings"
    echo "errors=$errors"
    echo "failing=$failing"
    echo "json-file=$([ -f "$json_file" ] && echo "$json_file")"
    echo "sarif-file=$(has sarif && [ -f "$sarif_file" ] && echo "$sarif_file")"
    echo "comment-file=$([ -f "$comment_file" ] && echo "$comment_file")"
    echo "baseline=$base"
    echo "unchanged=$unchanged"
  } >>"${GITHUB_OUTPUT:-/dev/null}"
}
trap write_outputs EXIT

# A workflow command's message: %, CR and LF escaped.
command_escape() {
  local s="$1"
  s="${s//'%'/'%25'}"
  s="${s//$'\r'/'%0D'}"
  s="${s//$'\n'/'%0A'}"
  printf '%s' "$s"
}

html_escape() {
  sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g'
}

# Report a failure that happened before lockgate could write its reports: an
# annotation and the job summary, with the real message; exit 2.
fail_early() {
  local msg="$1"
  echo "::error title=lockgate::$(command_escape "$msg")"
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    {
      echo "## lockgate: 🛑 could not run"
      echo
      echo "<pre>"
      printf '%s\n' "$msg" | html_escape
      echo "</pre>"
      echo
    } >>"$GITHUB_STEP_SUMMARY"
  fi
  code=2
  exit 2
}

for f in ${formats_input//,/ }; do
  case "$f" in
    github | markdown | sarif | json | human) ;;
    *) fail_early "unknown format '$f' in the formats input: use github, markdown, sarif, json, human" ;;
  esac
done
fail_on="${INPUT_FAIL_ON:-error}"
case "$fail_on" in
  critical | error | warning | note | never) ;;
  *) fail_early "unknown fail-on '$fail_on': use critical, error, warning, note or never" ;;
esac
online=false
case "${INPUT_ONLINE:-false}" in
  true | TRUE | True | 1 | yes) online=true ;;
  false | FALSE | False | 0 | no | "") ;;
  *) fail_early "online must be true or false, got '${INPUT_ONLINE}'" ;;
esac

# Pull-request mode.
baseline_input="${INPUT_BASELINE:-auto}"
case "$baseline_input" in
  auto)
    case "${GITHUB_EVENT_NAME:-}" in
      pull_request | pull_request_target)
        base="${LOCKGATE_BASE_SHA:-}"
        [ -n "$base" ] || fail_early "baseline: auto on a ${GITHUB_EVENT_NAME} event, but the event names no base commit (github.event.pull_request.base.sha); set the baseline input to a ref, or to none to check the whole tree"
        ;;
    esac
    ;;
  none | false | "") ;;
  -*) fail_early "baseline '$baseline_input' is not a git ref" ;;
  *) base="$baseline_input" ;;
esac
if [ -n "$base" ] && ! git cat-file -e "$base^{commit}" 2>/dev/null; then
  # actions/checkout fetches one commit by default: fetch the base (lockgate
  # fails closed with its own hint if this does not work).
  echo "lockgate: fetching the baseline $base"
  git fetch --no-tags --depth=1 origin "$base" || echo "::warning title=lockgate::could not fetch $base from origin"
fi

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
args+=(--fail-on "$fail_on")
[ "$online" = true ] && args+=(--online)

# The main report goes to the log: annotations, or the human report.
if has github; then
  args+=(--format github)
else
  args+=(--format human --color always)
fi
args+=(--report "json=$json_file")
has markdown && args+=(--report "markdown=$summary_file")
has sarif && args+=(--report "sarif=$sarif_file")
if has human && has github; then
  args+=(--report "human=$human_file")
fi
[ -n "$base" ] && args+=(--baseline "$base" --comment-file "$comment_file")
# Every SARIF rule links to its entry in docs/findings.md of the lockgate the
# workflow runs (the action's own repository and ref), unless the caller set one.
if [ -z "${LOCKGATE_DOCS_URL:-}" ] && [ -n "${LOCKGATE_ACTION_REPOSITORY:-}" ]; then
  export LOCKGATE_DOCS_URL="${GITHUB_SERVER_URL:-https://github.com}/$LOCKGATE_ACTION_REPOSITORY/blob/${LOCKGATE_ACTION_REF:-main}/docs/findings.md"
fi
# A pull-request run reports only what the change adds: its SARIF gets its own
# category, so code scanning never takes it for a full scan and closes alerts.
if has sarif; then
  if [ -n "$base" ]; then args+=(--sarif-category lockgate-pr); else args+=(--sarif-category lockgate); fi
fi
if [ -n "${INPUT_ARGS:-}" ]; then
  read -r -a extra <<<"$INPUT_ARGS"
  args+=("${extra[@]}")
fi

echo "lockgate: running $bin ${args[*]}"
"$bin" "${args[@]}" 2>"$stderr_file"
code=$?
cat "$stderr_file" >&2

if [ "$code" -ge 2 ] && [ ! -f "$json_file" ]; then
  # lockgate stopped before writing any report: its message is the news.
  msg="$(grep -v -e '^discovery: ' -e '^baseline: ' "$stderr_file" | head -c 4000)"
  [ -n "$msg" ] || msg="lockgate exited with $code before writing a report; see the log"
  fail_early "$msg"
fi

if has markdown && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  if [ -f "$comment_file" ]; then
    {
      cat "$comment_file"
      if [ -f "$summary_file" ]; then
        echo
        echo "<details><summary>Report of the new findings (with the allowlist snippet)</summary>"
        echo
        cat "$summary_file"
        echo
        echo "</details>"
      fi
    } >>"$GITHUB_STEP_SUMMARY"
  elif [ -f "$summary_file" ]; then
    cat "$summary_file" >>"$GITHUB_STEP_SUMMARY"
  fi
fi
if has human && has github && [ -f "$human_file" ]; then
  cat "$human_file"
fi

# Counts from the JSON report's summary (pretty-printed: one field a line).
count() {
  sed -n "s/^    \"$1\": \([0-9][0-9]*\),\{0,1\}\$/\1/p" "$json_file" 2>/dev/null | head -n1
}
if [ -f "$json_file" ]; then
  findings="$(count findings)"
  critical="$(count critical)"
  error="$(count error)"
  failing="$(count failing)"
  errors=$((${critical:-0} + ${error:-0}))
fi
if [ -n "$base" ]; then
  unchanged="$(sed -n 's/^baseline: \([0-9][0-9]*\) findings\{0,1\} unchanged from .*/\1/p' "$stderr_file" | head -n1)"
fi

case "$code" in
  0) echo "lockgate: passed (${findings:-0} findings below the fail level)" ;;
  1) echo "lockgate: failed: $failing finding(s) at or above fail-on=$fail_on" ;;
  *) echo "::error title=lockgate::lockgate could not complete the check (exit $code); see the log above" ;;
esac
exit "$code"
